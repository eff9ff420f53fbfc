// The README's quick start, verbatim, then the checks a NativeAOT user depends on. Run by .ci/legs/20-package.sh
// from a fresh folder outside the repo, against the NativeIpc package restored from a local folder feed.
// `Consumer --images FILE...` only says what each file is (ReadyToRun for which runtime, or IL): the leg's package check.
// `Consumer --start-time N` only times N children of an empty target, started and joined one after another.
using System.Buffers;
using System.Buffers.Binary;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using MemoryPack;
using NativeIpc;
using NativeIpc.MemoryPack;

Multiprocessing.FreezeSupport();          // needed only for NativeAOT / single-file apps; harmless otherwise
if (args is ["--images", ..])
{
    foreach (var file in args[1..]) Console.WriteLine($"image {file}: {Images.Kind(file)}");
    return;
}
if (args is ["--start-time", var count])
{
    // Children of an empty target started and joined one after another: the figure the images are for.
    var ms = new List<double>();
    for (int i = 0; i < int.Parse(count); i++)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        using var p = IpcProcess.Start(Checks.Nothing);
        p.Join(TimeSpan.FromSeconds(30));
        ms.Add(System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
    }
    ms.Sort();
    Console.WriteLine($"child start+join: median {ms[ms.Count / 2]:F1} ms, min {ms[0]:F1}, max {ms[^1]:F1} (n={ms.Count})");
    return;
}

var workers = new List<IpcProcess>();
for (int i = 0; i < 4; i++)
{
    var p = new IpcProcess(Worker.Run, i) { Name = $"worker-{i}" };   // a static method + its arguments
    workers.Add(p.Start());
}
foreach (var p in workers) p.Join(TimeSpan.FromSeconds(10));
Console.WriteLine(string.Join(", ", workers.Select(p => p.ExitCode)));  // 0, 0, 0, 0

// A custom [IpcSerializer] type, as a child's argument and back through a queue.
using (var points = Multiprocessing.Queue<Point>())
{
    var child = IpcProcess.Start(Checks.EchoPoint, points, new Point(3, 4));
    var back = points.Get(TimeSpan.FromSeconds(30));
    child.Join(TimeSpan.FromSeconds(30));
    Console.WriteLine($"check serializer: {back.X},{back.Y} exit {child.ExitCode}");
}

// A record through IpcQueue<T> (its serializer built on a System.Text.Json source-generated context).
using (var orders = Multiprocessing.Queue<Order>())
{
    var child = IpcProcess.Start(Checks.PutOrders, orders);
    var got = new List<Order>();
    for (int i = 0; i < 3; i++) got.Add(orders.Get(TimeSpan.FromSeconds(30)));
    child.Join(TimeSpan.FromSeconds(30));
    Console.WriteLine($"check record: {string.Join(" ", got.Select(o => $"{o.Id}:{o.Item}:{o.Price}"))} exit {child.ExitCode}");
}

// The fast path for records: MemoryPack through the NativeIpc.MemoryPack package.
using (var packed = Multiprocessing.Queue<Packed>())
{
    var child = IpcProcess.Start(Checks.PutPacked, packed);
    var got = new List<Packed>();
    for (int i = 0; i < 3; i++) got.Add(packed.Get(TimeSpan.FromSeconds(30)));
    child.Join(TimeSpan.FromSeconds(30));
    Console.WriteLine($"check memorypack: {string.Join(" ", got.Select(o => $"{o.Id}:{o.Item}"))} exit {child.ExitCode}");
}

// A lambda that captures a local is refused before anything starts (a child would not see the captured value).
int captured = 42;
string label = "seen";
try
{
    using var wrong = new IpcProcess(() => Console.WriteLine($"captured={captured} label={label}"));
    wrong.Start().Join(TimeSpan.FromSeconds(30));
    Console.WriteLine($"check capture: ACCEPTED (exit {wrong.ExitCode})");
}
catch (ArgumentException e) when (e.Message.Contains("captures"))
{
    Console.WriteLine("check capture: refused");
}

// Start cost: the host took NativeIpc's ReadyToRun images for this runtime (runtimes/<rid>/lib/ of the package; a
// NativeAOT app compiled everything itself), so a child JIT-compiles few methods before its target returns.
Console.WriteLine($"check images loaded: {Images.Loaded("NativeIpc")} {Images.Loaded("NativeIpc.Platform.Unix")}");
string jitFile = Path.GetTempFileName();
try
{
    var child = IpcProcess.Start(Checks.WriteJitCount, jitFile);
    child.Join(TimeSpan.FromSeconds(30));
    Console.WriteLine($"check child jit: {File.ReadAllText(jitFile)} methods, exit {child.ExitCode}");
}
finally
{
    File.Delete(jitFile);
}

static class Worker
{
    public static void Run(int n) =>
        Console.WriteLine($"{Multiprocessing.CurrentProcess.Name} got {n}");
}

static class Checks
{
    public static void EchoPoint(IpcQueue<Point> q, Point p) => q.Put(new Point(p.X * 10, p.Y * 10));

    public static void PutOrders(IpcQueue<Order> q)
    {
        for (int i = 1; i <= 3; i++) q.Put(new Order(i, $"item{i}", i * 1.5));
    }

    public static void PutPacked(IpcQueue<Packed> q)
    {
        for (int i = 1; i <= 3; i++) q.Put(new Packed(i, $"p{i}"));
    }

    public static void Nothing() { }

    /// <summary>In a child: writes how many methods the JIT compiled so far (as tests/.../ChildStartCostTests does).</summary>
    public static void WriteJitCount(string file)
        => File.WriteAllText(file, System.Runtime.JitInfo.GetCompiledMethodCount().ToString(System.Globalization.CultureInfo.InvariantCulture));
}

static class Images
{
    /// <summary>"ReadyToRun linux-x64" (the runtime its native code is for), "IL", "not a PE file" or "missing".</summary>
    public static string Kind(string file)
    {
        if (!File.Exists(file)) return "missing";
        using var pe = new PEReader(File.OpenRead(file));
        if (!pe.PEHeaders.IsCoffOnly && pe.PEHeaders.CorHeader is { } cor)
        {
            if (cor.ManagedNativeHeaderDirectory.Size == 0) return "IL";
            // A ReadyToRun image for Linux marks its machine with the OS: machine XOR 0x7B79.
            var machine = (Machine)((ushort)pe.PEHeaders.CoffHeader.Machine ^ 0x7B79);
            string arch = machine switch { Machine.Amd64 => "x64", Machine.Arm64 => "arm64", _ => $"0x{(ushort)pe.PEHeaders.CoffHeader.Machine:x4}" };
            return $"ReadyToRun linux-{arch}";
        }
        return "not a PE file";
    }

    /// <summary>What the host resolved for an assembly (its trusted platform assemblies: the app's deps.json applied).</summary>
    public static string Loaded(string name)
    {
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is not string tpa) return $"{name}=native";
        foreach (var path in tpa.Split(Path.PathSeparator))
            if (Path.GetFileName(path) == name + ".dll") return $"{name}={Kind(path)}";
        return $"{name}=missing";
    }
}

[IpcSerializer(typeof(PointSerializer))]
sealed class Point(int x, int y)
{
    public int X { get; } = x;
    public int Y { get; } = y;
}

sealed class PointSerializer : IIpcSerializer<Point>
{
    public void Serialize(Point value, IBufferWriter<byte> destination)
    {
        var span = destination.GetSpan(8);
        BinaryPrimitives.WriteInt32LittleEndian(span, value.X);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], value.Y);
        destination.Advance(8);
    }

    public Point Deserialize(ReadOnlySpan<byte> source)
        => new(BinaryPrimitives.ReadInt32LittleEndian(source), BinaryPrimitives.ReadInt32LittleEndian(source[4..]));
}

[IpcSerializer(typeof(OrderSerializer))]
record Order(int Id, string Item, double Price);

[JsonSerializable(typeof(Order))]
partial class OrderJson : JsonSerializerContext;

sealed class OrderSerializer : IIpcSerializer<Order>
{
    public void Serialize(Order value, IBufferWriter<byte> destination)
    {
        using var w = new Utf8JsonWriter(destination);
        JsonSerializer.Serialize(w, value, OrderJson.Default.Order);
    }

    public Order Deserialize(ReadOnlySpan<byte> source) => JsonSerializer.Deserialize(source, OrderJson.Default.Order)!;
}

[MemoryPackable]
[IpcSerializer(typeof(MemoryPackIpcSerializer<Packed>))]
partial record Packed(int Id, string Item);
