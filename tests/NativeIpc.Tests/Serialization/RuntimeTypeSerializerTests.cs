using System.Buffers;
using System.Buffers.Binary;
using NUnit.Framework;

namespace NativeIpc.Tests.Serialization;

/// <summary>What a child decodes knowing its argument types only at run time: the unmanaged test without field
/// reflection, and value types with their own serializer through the untyped serializer face (no generic code made
/// at run time, which NativeAOT cannot do).</summary>
public class RuntimeTypeSerializerTests : ChildProcessFixture
{
    public struct Plain { public int A; public double B; }
    public struct HoldsString { public int A; public string S; }
    public struct Nested { public Plain Inner; public long C; }
    public struct NestedRef { public Plain Inner; public HoldsString Ref; }

    [Test]
    public void IsUnmanaged_AsksTheRuntime_StructsHoldingReferencesAreNot()
    {
        Assert.That(IpcSerializers.IsUnmanaged(typeof(Plain)), Is.True);
        Assert.That(IpcSerializers.IsUnmanaged(typeof(Nested)), Is.True);
        Assert.That(IpcSerializers.IsUnmanaged(typeof(HoldsString)), Is.False, "a raw copy would send a pointer");
        Assert.That(IpcSerializers.IsUnmanaged(typeof(NestedRef)), Is.False);
        Assert.That(IpcSerializers.IsUnmanaged(typeof(string)), Is.False);
        Assert.That(IpcSerializers.IsUnmanaged(typeof(DayOfWeek)), Is.True);
    }

    [Test]
    public void UnmanagedStruct_AsAChildArgument_ArrivesByRawCopy()
    {
        using var back = new IpcQueue<long>();
        var p = Track(IpcProcess.Start(EchoNested, back, new Nested { Inner = new Plain { A = 7, B = 1.5 }, C = 35 }));
        Assert.That(back.Get(ChildTimeout), Is.EqualTo(7 + 1 + 35));
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void ValueTypeWithItsOwnSerializer_AsAChildArgument_UsesIt()
    {
        using var back = new IpcQueue<string>();
        var p = Track(IpcProcess.Start(EchoStamp, back, new Stamp(41, "x")));
        Assert.That(back.Get(ChildTimeout), Is.EqualTo("42:x!"), "decoded by StampSerializer in the child");
        JoinOrFail(p);
    }

    public static void EchoNested(IpcQueue<long> back, Nested n) => back.Put(n.Inner.A + (long)n.Inner.B + n.C);

    public static void EchoStamp(IpcQueue<string> back, Stamp s) => back.Put($"{s.N}:{s.Label}");
}

/// <summary>A struct holding a reference, with its own serializer: not raw-copied, not JSON.</summary>
[IpcSerializer(typeof(StampSerializer))]
public readonly record struct Stamp(int N, string Label);

public sealed class StampSerializer : IIpcSerializer<Stamp>
{
    public void Serialize(Stamp value, IBufferWriter<byte> destination)
    {
        var label = System.Text.Encoding.UTF8.GetBytes(value.Label);
        var span = destination.GetSpan(4 + label.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span, value.N + 1);
        label.CopyTo(span[4..]);
        destination.Advance(4 + label.Length);
    }

    public Stamp Deserialize(ReadOnlySpan<byte> source)
        => new(BinaryPrimitives.ReadInt32LittleEndian(source), System.Text.Encoding.UTF8.GetString(source[4..]) + "!");
}
