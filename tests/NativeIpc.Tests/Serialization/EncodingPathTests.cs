using System.Buffers;
using System.Runtime.InteropServices;
using NativeIpc.Tests.Process;
using NativeIpc.Tests.Queues;
using NUnit.Framework;

namespace NativeIpc.Tests.Serialization;

/// <summary>One encoding path: queues, pipes, process arguments and the pool use the same serializer objects, with
/// one string encoding.</summary>
[TestFixture]
public class EncodingPathTests : ChildProcessFixture
{
    [Test]
    public void StringsAndCustomTypes_SameEncodingThroughArgumentsQueuesPipesAndPool()
    {
        using var queue = new IpcQueue<string>();
        var (reader, writer) = Connection.CreatePipe(duplex: false);
        using (reader)
        {
            using (writer)
            {
                var child = Track(IpcProcess.Start(EncodingTargets.Echo, EncodingTargets.Mixed, new Tagged("t"), new[] { 1, -2, 3 }, queue, writer));
                writer.Close();
                JoinOrFail(child);
                Assert.That(child.ExitCode, Is.EqualTo(0));
            }
            // Each hop through a serializer appends "!" to a Tagged: argument (1), then pipe (2).
            Assert.That(queue.Get(ChildTimeout), Is.EqualTo(EncodingTargets.Mixed));
            Assert.That(queue.Get(ChildTimeout), Is.EqualTo("t!"));
            Assert.That(reader.Recv<Tagged>(ChildTimeout).Label, Is.EqualTo("t!!"));
            Assert.That(reader.Recv<int[]>(ChildTimeout), Is.EqualTo(new[] { 1, -2, 3 }));
            Assert.That(reader.Recv<string>(ChildTimeout), Is.EqualTo(EncodingTargets.Mixed));
        }

        using var pool = new ProcessPool(1);
        // Argument in (one hop), string result back.
        Assert.That(pool.Apply(EncodingTargets.Concat, EncodingTargets.Mixed, new Tagged("p")), Is.EqualTo(EncodingTargets.Mixed + "|p!"));
    }

    [Test]
    public void ArgumentCodec_WritesAStringWithTheStringSerializersBytes()
    {
        var expected = new ArrayBufferWriter<byte>();
        IpcSerializers.For<string>().Serialize(EncodingTargets.Mixed, expected);
        Assert.That(expected.WrittenSpan.ToArray(), Is.EqualTo(MemoryMarshal.AsBytes(EncodingTargets.Mixed.AsSpan()).ToArray()), "UTF-16, the one string encoding");

        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true)) ArgumentCodec.Write(w, EncodingTargets.Mixed, typeof(string));
        byte[] bytes = ms.ToArray();
        // tag | i32 length | the serializer's bytes
        Assert.That(bytes.AsSpan(5).ToArray(), Is.EqualTo(expected.WrittenSpan.ToArray()));
        Assert.That(BitConverter.ToInt32(bytes, 1), Is.EqualTo(expected.WrittenCount));
        ms.Position = 0;
        Assert.That(ArgumentCodec.Read(new BinaryReader(ms), typeof(string)), Is.EqualTo(EncodingTargets.Mixed));
    }

    [Test]
    public void BuiltInSerializers_ExposeDirectBytes_ForUnmanagedStringsAndArrays()
    {
        Assert.That(IpcSerializers.For<long>(), Is.InstanceOf<IDirectSerializer<long>>());
        Assert.That(((IDirectSerializer<long>)IpcSerializers.For<long>()).FixedSize, Is.EqualTo(8));
        Assert.That(IpcSerializers.For<string>(), Is.InstanceOf<IDirectSerializer<string>>());
        Assert.That(IpcSerializers.For<double[]>(), Is.InstanceOf<IDirectSerializer<double[]>>());
        Assert.That(IpcSerializers.For<Tagged>(), Is.Not.InstanceOf<IDirectSerializer<Tagged>>());
    }

    [Test]
    public void ConnectionSend_SerializerThrows_IpcSerializationException_NothingSent()
    {
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            var e = Assert.Throws<IpcSerializationException>(() => a.Send(new Unserializable { Fail = true }));
            Assert.That(e!.InnerException, Is.InstanceOf<FormatException>());
            Assert.That(b.Poll(), Is.False, "a failed send must send nothing");
            a.Send(7);
            Assert.That(b.Recv<int>(ChildTimeout), Is.EqualTo(7));
        }
    }

    [Test]
    public void NullString_IsRefusedEverywhere_NeverArrivesEmpty()
    {
        using var q = new IpcQueue<string>();
        Assert.Throws<IpcSerializationException>(() => q.Put(null!));
        Assert.That(q.IsEmpty, Is.True);
        var (a, b) = Connection.CreatePipe();
        using (a)
        using (b)
        {
            Assert.Throws<IpcSerializationException>(() => a.Send<string>(null!));
            Assert.That(b.Poll(), Is.False);
        }
    }

    [Test]
    public void UnmanagedStructAndArray_RoundTripThroughQueue()
    {
        using var q = new IpcQueue<Guid>();
        var g = Guid.NewGuid();
        q.Put(g);
        Assert.That(q.Get(ChildTimeout), Is.EqualTo(g));
        using var qa = new IpcQueue<DayOfWeek[]>();
        qa.Put([DayOfWeek.Friday, DayOfWeek.Monday]);
        Assert.That(qa.Get(ChildTimeout), Is.EqualTo(new[] { DayOfWeek.Friday, DayOfWeek.Monday }));
    }
}
