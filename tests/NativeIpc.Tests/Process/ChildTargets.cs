using System.Buffers;
using System.Text;

namespace NativeIpc.Tests.Process;

/// <summary>Targets the process tests run in children. Each writes what it saw to a file the test reads.</summary>
public static class ChildTargets
{
    public static void WriteText(string path, string text) => File.WriteAllText(path, text);

    public static void WriteSum(string path, int a, long b, double c) => File.WriteAllText(path, (a + b + c).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static void WriteIdentity(string path)
        => File.WriteAllText(path, $"{Multiprocessing.CurrentProcess.Name}|{Multiprocessing.CurrentProcess.Pid}|{Multiprocessing.ParentProcess?.Pid}|{Environment.GetEnvironmentVariable("NATIVEIPC_CHILD") ?? "scrubbed"}");

    public static void WriteValues(string path, Point p, Color color, int[] numbers, byte[] bytes, Tagged tagged, Order order)
        => File.WriteAllText(path, $"{p.X},{p.Y}|{color}|{string.Join(",", numbers)}|{Convert.ToHexString(bytes)}|{tagged.Label}|{order.Id}:{order.Items.Count}:{order.Customer}");

    public static void WriteEnvironment(string path, string variable)
        => File.WriteAllText(path, $"{Environment.GetEnvironmentVariable(variable)}|{Environment.CurrentDirectory.TrimEnd('/')}");

    public static void Sleep(int ms) => Thread.Sleep(ms);

    public static void Exit(int code) => Environment.Exit(code);

    public static void Throw() => throw new InvalidOperationException("thrown in the child");

    public static void TakesStream(Stream s) => s.Flush();

    public static void TakesBadlyDecoded(Undecodable u) => _ = u;

    public static void NoArgs() { }

    /// <summary>Returns at once, leaving a foreground thread that writes <paramref name="path"/> after a delay.</summary>
    public static void StartForegroundWriter(string path, int delayMs)
        => new Thread(() => { Thread.Sleep(delayMs); File.WriteAllText(path, "written by a foreground thread"); }).Start();

    /// <summary>Returns at once, leaving a background thread that never ends.</summary>
    public static void StartBackgroundSleeper() => new Thread(() => Thread.Sleep(Timeout.Infinite)) { IsBackground = true }.Start();

    /// <summary>Sends stdout and stderr to a file, then closes it (Python: <c>sys.stdout = open(...)</c>, then close).</summary>
    public static void CloseStandardStreams(string path)
    {
        var writer = new StreamWriter(path);
        Console.SetOut(writer);
        Console.SetError(writer);
        Console.WriteLine("to the file");
        writer.Dispose();
    }

    public static void WriteParent(string path)
    {
        var parent = Multiprocessing.ParentProcess!;
        File.WriteAllText(path, $"{parent.Name}|{parent.Pid}|{parent.IsAlive}|{parent.Daemon}");
    }

    /// <summary>Runs <paramref name="command"/> through system() (the C library's environment, as native code sees it)
    /// and exits with its status.</summary>
    public static void RunShell(string command) => Environment.Exit(NativeShell.system(command) == 0 ? 0 : 3);
}

internal static class NativeShell
{
    [System.Runtime.InteropServices.DllImport("libc")]
    public static extern int system(string command);
}

/// <summary>An unmanaged struct: copied raw.</summary>
public struct Point { public int X; public double Y; }

/// <summary>An enum: copied raw.</summary>
public enum Color : short { Red = 1, Green = 2 }

/// <summary>A record with no serializer attribute: goes through System.Text.Json.</summary>
public sealed record Order(int Id, List<string> Items, string Customer);

/// <summary>A type with its own serializer.</summary>
[IpcSerializer(typeof(TaggedSerializer))]
public sealed class Tagged(string label) { public string Label { get; } = label; }

public sealed class TaggedSerializer : IIpcSerializer<Tagged>
{
    public void Serialize(Tagged value, IBufferWriter<byte> destination)
    {
        var bytes = Encoding.UTF8.GetBytes("tag:" + value.Label);
        destination.Write(bytes);
    }

    public Tagged Deserialize(ReadOnlySpan<byte> source) => new(Encoding.UTF8.GetString(source)[4..] + "!");
}

/// <summary>A type whose deserializer fails in the child: the child cannot start its target.</summary>
[IpcSerializer(typeof(UndecodableSerializer))]
public sealed class Undecodable { }

public sealed class UndecodableSerializer : IIpcSerializer<Undecodable>
{
    public void Serialize(Undecodable value, IBufferWriter<byte> destination) => destination.Write("x"u8);
    public Undecodable Deserialize(ReadOnlySpan<byte> source) => throw new FormatException("cannot decode this in the child");
}
