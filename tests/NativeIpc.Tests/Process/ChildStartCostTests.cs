using System.Reflection.PortableExecutable;
using NUnit.Framework;

namespace NativeIpc.Tests.Process;

/// <summary>What a spawned child pays before its target runs: the bootstrap (liveness, launch channel, spec decoding)
/// is precompiled (ReadyToRun), so a child JIT-compiles only what the runtime and the target need.</summary>
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
        // ~150 methods when the bootstrap is JIT-compiled, ~45 with it precompiled (runtime start-up hook handling,
        // libc bindings of Tmds.LibC, the target itself).
        Assert.That(methods, Is.LessThan(100), "methods JIT-compiled in the child before its target returned");
    }

    /// <summary>In a child: writes how many methods the JIT compiled so far.</summary>
    public static void WriteJitCount(string file)
        => File.WriteAllText(file, System.Runtime.JitInfo.GetCompiledMethodCount().ToString(System.Globalization.CultureInfo.InvariantCulture));
}
