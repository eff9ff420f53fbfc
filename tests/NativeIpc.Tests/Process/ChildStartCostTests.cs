using System.Reflection.PortableExecutable;
using NUnit.Framework;

namespace NativeIpc.Tests.Process;

/// <summary>What a spawned child pays before its target runs: the bootstrap (liveness, launch channel, spec decoding)
/// is precompiled (ReadyToRun) and loads no helper assembly, so a child JIT-compiles only what the runtime and the
/// target need.</summary>
[TestFixture, Platform("Linux", Reason = "the ReadyToRun images are built on Linux hosts (src/ReadyToRun.targets)")]
public class ChildStartCostTests : ChildProcessFixture
{
    private string _file = "";

    [SetUp]
    public void NewFile() => _file = TestPaths.TempFile();

    [TearDown]
    public void RemoveFile() => File.Delete(_file);

    [Test]
    public void LibraryAssemblies_AreReadyToRunImages()
    {
        foreach (var assembly in new[] { typeof(IpcProcess).Assembly, typeof(NativeIpc.Platform.Unix.PidFd).Assembly })
        {
            string path = Path.Combine(AppContext.BaseDirectory, assembly.GetName().Name + ".dll");
            using var pe = new PEReader(File.OpenRead(path));
            Assert.That(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size, Is.GreaterThan(0), $"{path} has no ReadyToRun code");
        }
    }

    [Test]
    public void Spawn_BootstrapIsPrecompiled_ChildJitsFewMethodsBeforeItsTarget()
    {
        using var p = Track(IpcProcess.Start(WriteJitCount, _file));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        int methods = int.Parse(File.ReadAllText(_file), System.Globalization.CultureInfo.InvariantCulture);
        TestContext.Out.WriteLine($"methods JIT-compiled in the child before its target returned: {methods}");
        // ~150 methods when the bootstrap is JIT-compiled, ~45 with it precompiled but libc bound through Tmds.LibC
        // (its helpers and a marshalling stub per signature), 13 with the child's libc calls bound in Platform.Unix:
        // the runtime's start-up hook lookup (SearchValues instantiations), a Lazy<int>, the target itself.
        Assert.That(methods, Is.LessThan(30), "methods JIT-compiled in the child before its target returned");
    }

    [Test]
    public void Spawn_ChildLoadsNoHelperAssembliesBeforeItsTarget()
    {
        // A target without arguments (decoding a string argument is the target's own cost): it writes to a file named
        // after its pid.
        using var p = Track(IpcProcess.Start(WriteLoadedAssemblies));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        string file = LoadedAssembliesFile(p.Pid!.Value);
        string[] loaded;
        try { loaded = File.ReadAllLines(file); }
        finally { File.Delete(file); }
        Assert.That(loaded, Does.Contain("NativeIpc"), "the list is the child's");
        // Each was an assembly load plus JIT-compiled helpers in every child (~10 ms apiece on 2 vCPUs): Tmds.LibC (and
        // netstandard.dll, which it binds through) for the liveness and channel calls, System.Linq for the target lookup.
        Assert.That(loaded, Has.None.EqualTo("Tmds.LibC").And.None.EqualTo("netstandard").And.None.EqualTo("System.Linq"),
            "assemblies loaded in the child before its target ran");
    }

    [Test]
    public void Spawn_TargetsBufferedConsoleWriter_IsFlushedAtExit()
    {
        using var p = Track(IpcProcess.Start(WriteThroughBufferedConsole, _file));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
        Assert.That(File.ReadAllText(_file), Is.EqualTo("buffered, never flushed by the target"));
    }

    private static string LoadedAssembliesFile(int pid) => Path.Combine(Path.GetTempPath(), "nipc-test-assemblies-" + pid);

    /// <summary>In a child: writes the simple names of the loaded assemblies, one a line.</summary>
    public static void WriteLoadedAssemblies()
    {
        var names = new List<string>();
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies()) names.Add(a.GetName().Name ?? "");
        File.WriteAllLines(LoadedAssembliesFile(Environment.ProcessId), names);
    }

    /// <summary>In a child: points Console.Out at a file through a writer that does not flush by itself, writes, returns.</summary>
    public static void WriteThroughBufferedConsole(string file)
    {
        Console.SetOut(new StreamWriter(File.Create(file)) { AutoFlush = false });
        Console.Write("buffered, never flushed by the target");
    }

    /// <summary>In a child: writes how many methods the JIT compiled so far.</summary>
    public static void WriteJitCount(string file)
        => File.WriteAllText(file, System.Runtime.JitInfo.GetCompiledMethodCount().ToString(System.Globalization.CultureInfo.InvariantCulture));
}
