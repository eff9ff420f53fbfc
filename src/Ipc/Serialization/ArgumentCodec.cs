using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativeIpc.Transfer;

namespace NativeIpc.Serialization;

/// <summary>Encodes the arguments of a child's target method. Works from <see cref="Type"/> objects (not generics)
/// so the child, which knows only the method's parameter types, decodes without generic instantiation.</summary>
internal static class ArgumentCodec
{
    /// <summary>Writes an argument list for <paramref name="parameters"/>: <c>i32 argc | argument*</c>. Shared by process
    /// launch and pool tasks, so both send a target's arguments the same way.</summary>
    /// <exception cref="IpcSerializationException">An argument cannot cross a process boundary; the message names it.</exception>
    public static void WriteArguments(BinaryWriter w, ReadOnlySpan<object?> args, ParameterInfo[] parameters, string targetName)
    {
        w.Write(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            try { Write(w, args[i], parameters[i].ParameterType); }
            catch (IpcSerializationException e)
            {
                throw new IpcSerializationException($"Argument '{parameters[i].Name}' of '{targetName}': {e.Message}", e);
            }
        }
    }

    /// <summary>Reads what <see cref="WriteArguments"/> wrote, decoding each argument by its parameter's type.</summary>
    /// <exception cref="IpcSerializationException">The count does not match the method's parameters.</exception>
    public static object?[] ReadArguments(BinaryReader r, ParameterInfo[] parameters, string targetName)
    {
        int argc = r.ReadInt32();
        if (argc != parameters.Length)
            throw new IpcSerializationException($"Target '{targetName}' takes {parameters.Length} arguments; {argc} were sent.");
        var args = new object?[argc];
        for (int i = 0; i < argc; i++) args[i] = Read(r, parameters[i].ParameterType);
        return args;
    }

    // Values are fixed: String (2) and RawArray (3) were retired when strings and arrays moved onto their serializers.
    private enum Tag : byte { Null = 0, Raw = 1, Transfer = 4, Serialized = 5, Typed = 6 }

    private sealed class RawBox { public byte Data = 0; } // never made: a view of a boxed value's first byte

    /// <summary>Writes <paramref name="value"/> for a parameter (or return value) of type <paramref name="declared"/>.
    /// Values go through the same serializer objects as queues and pipes (<see cref="IpcSerializers.For{T}"/>); only
    /// unmanaged structs take a non-generic raw copy (the same bytes <see cref="UnmanagedSerializer{T}"/> writes), so
    /// NativeAOT needs no generic instantiation over value types.</summary>
    /// <exception cref="IpcSerializationException">The value cannot cross a process boundary.</exception>
    public static void Write(BinaryWriter w, object? value, Type declared)
    {
        if (value is null)
        {
            if (declared.IsValueType && Nullable.GetUnderlyingType(declared) is null)
                throw new IpcSerializationException($"null cannot be passed for a parameter of type '{declared}'.");
            w.Write((byte)Tag.Null);
            return;
        }
        var t = value.GetType();
        if (t != declared && !declared.IsValueType)
        {
            // Declared as a base type or interface: the child needs the concrete type's name.
            w.Write((byte)Tag.Typed);
            w.Write(t.AssemblyQualifiedName!);
        }
        if (value is ITransferable tr)
        {
            w.Write((byte)Tag.Transfer);
            tr.WriteTransfer(w);
            return;
        }
        var plan = PlanFor(t);
        if (plan.Adapter is null)
        {
            w.Write((byte)Tag.Raw);
            w.Write(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<RawBox>(value).Data, plan.RawSize));
            return;
        }
        w.Write((byte)Tag.Serialized);
        plan.Adapter.Write(value, w);
    }

    /// <summary>How <see cref="Write"/> encodes a value of one runtime type: a raw copy of <see cref="RawSize"/> bytes,
    /// or through <see cref="Adapter"/>. Decided once per type (the checks are reflection) and again after a
    /// serializer is registered (<see cref="IpcSerializers.Registrations"/>).</summary>
    private sealed record WritePlan(int RawSize, Adapter? Adapter, int Registrations);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, WritePlan> s_writePlans = new();

    private static WritePlan PlanFor(Type t)
    {
        int registrations = IpcSerializers.Registrations;
        if (s_writePlans.TryGetValue(t, out var plan) && plan.Registrations == registrations) return plan;
        IpcSerializers.RejectUnsendable(t);
        plan = IpcSerializers.IsRawCopied(t)
            ? new WritePlan(IpcSerializers.SizeOf(t), null, registrations)
            : new WritePlan(0, AdapterFor(t), registrations);
        s_writePlans[t] = plan;
        return plan;
    }

    /// <summary>Reads one value written by <see cref="Write"/> for <paramref name="declared"/>. The bytes may come from a
    /// hostile peer (the pool's queues are shared memory): every tag, type name and length is checked before use.</summary>
    /// <exception cref="IpcSerializationException">The bytes are not a value of <paramref name="declared"/>.</exception>
    public static object? Read(BinaryReader r, Type declared)
    {
        try { return ReadChecked(r, declared); }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException or TypeLoadException
                                      or FileNotFoundException or FileLoadException or BadImageFormatException or NotSupportedException)
        {
            throw new IpcSerializationException($"A '{declared}' value could not be read: {e.Message}", e);
        }
    }

    // The child's one place that turns names into types: a concrete argument type named by the parent (which ran this
    // same binary, so the type and its NativeIpc attach code are compiled in), checked against the declared parameter.
    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Type names come from the parent, which ran the same binary.")]
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "A transferable type the parent instantiated in the same binary.")]
    private static object? ReadChecked(BinaryReader r, Type declared)
    {
        var tag = (Tag)r.ReadByte();
        var t = declared;
        if (tag == Tag.Typed)
        {
            string name = r.ReadString();
            t = Type.GetType(name, throwOnError: false) ?? throw new IpcSerializationException($"Type '{name}' was not found in the child process.");
            // Only a type the parameter could have held: never an arbitrary type a peer names.
            if (declared.IsValueType || !declared.IsAssignableFrom(t) || t.IsAbstract || t.ContainsGenericParameters)
                throw new IpcSerializationException($"Type '{name}' was sent for a '{declared}' value, which cannot hold it.");
            tag = (Tag)r.ReadByte();
        }
        t = Nullable.GetUnderlyingType(t) ?? t;
        switch (tag)
        {
            case Tag.Null:
                if (declared.IsValueType && Nullable.GetUnderlyingType(declared) is null)
                    throw new IpcSerializationException($"null was sent for a '{declared}' value.");
                return null;
            case Tag.Raw:
            {
                // Raw bytes only ever fill a struct without references; never a class or a struct holding one.
                if (!t.IsValueType || !IpcSerializers.IsUnmanaged(t)) throw WrongTag(tag, t);
                int size = IpcSerializers.SizeOf(t);
                // Boxed straight from the message when it is in memory (pool and launch messages are); sizes are at least 1.
                if (r.BaseStream is MemoryStream ms && ms.TryGetBuffer(out var buffer))
                {
                    if (size > Remaining(r)) throw new EndOfStreamException($"A '{t}' value needs {size} bytes; the message has {Remaining(r)} left.");
                    int at = (int)ms.Position;
                    ms.Position = at + size;
                    return RuntimeHelpers.Box(ref buffer.Array![buffer.Offset + at], t.TypeHandle)!;
                }
                var bytes = ReadExactly(r, size);
                return RuntimeHelpers.Box(ref bytes[0], t.TypeHandle)!;
            }
            case Tag.Transfer:
                if (!typeof(ITransferable).IsAssignableFrom(t)) throw WrongTag(tag, t);
                return TransferRegistry.Attach(t, r);
            case Tag.Serialized:
            {
                int n = r.ReadInt32();
                var adapter = AdapterFor(t);
                // Deserialised in place when the message is in memory already (pool and launch messages are).
                if (r.BaseStream is MemoryStream ms && ms.TryGetBuffer(out var buffer))
                {
                    if (n < 0 || n > Remaining(r)) throw new IpcSerializationException($"A length of {n} bytes does not fit in the message.");
                    int at = (int)ms.Position;
                    ms.Position = at + n;
                    return adapter.Read(buffer.AsSpan(at, n));
                }
                return adapter.Read(ReadExactly(r, n));
            }
            default: throw new IpcSerializationException($"Unknown argument tag {(byte)tag}.");
        }
    }

    private static IpcSerializationException WrongTag(Tag tag, Type t)
        => new($"A '{t}' value cannot be encoded as {tag}: the message is corrupt or hostile.");

    private static long Remaining(BinaryReader r) => r.BaseStream.Length - r.BaseStream.Position;

    /// <summary>Reads <paramref name="n"/> bytes, checking <paramref name="n"/> against what is left before allocating.</summary>
    private static byte[] ReadExactly(BinaryReader r, int n)
    {
        if (n < 0 || n > Remaining(r)) throw new IpcSerializationException($"A length of {n} bytes does not fit in the message.");
        var bytes = new byte[n];
        r.ReadExactly(bytes);
        return bytes;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Adapter> s_adapters = new();

    /// <summary>Writes and reads values of one run-time type through its serializer's untyped face
    /// (<see cref="IIpcSerializer"/>): no generic code is made at run time, which NativeAOT could not do.</summary>
    private sealed class Adapter(Type type, IIpcSerializer serializer)
    {
        [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

        /// <summary>Writes <c>i32 length | encoding</c>; a serializer that throws fails the send, naming the type.</summary>
        public void Write(object value, BinaryWriter destination)
        {
            var buffer = t_buffer ??= new ArrayBufferWriter<byte>();
            buffer.ResetWrittenCount();
            try { serializer.SerializeObject(value, buffer); }
            catch (Exception e) when (e is not IpcException)
            {
                throw new IpcSerializationException($"A '{type}' could not be serialized: {e.Message}", e);
            }
            destination.Write(buffer.WrittenCount);
            destination.Write(buffer.WrittenSpan);
            if (buffer.Capacity > 1 << 20) t_buffer = null; // do not pin a huge buffer to the thread
        }

        public object? Read(ReadOnlySpan<byte> source) => serializer.DeserializeObject(source);
    }

    // A registration can come later than a first use, so it is looked up every time; the rest is fixed per type.
    private static Adapter AdapterFor(Type t)
        => IpcSerializers.Registered(t) is { } r ? new Adapter(t, r) : s_adapters.GetOrAdd(t, static t => new Adapter(t, IpcSerializers.ForType(t)));
}
