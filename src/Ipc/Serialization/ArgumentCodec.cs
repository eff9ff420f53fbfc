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

    private enum Tag : byte { Null, Raw, String, RawArray, Transfer, Serialized, Typed }

    private sealed class RawBox { public byte Data; }

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
        }
        else if (value is string s)
        {
            w.Write((byte)Tag.String);
            w.Write(s);
        }
        else if (IpcSerializers.FromAttribute(t) is null && IpcSerializers.IsUnmanaged(t))
        {
            IpcSerializers.RejectUnsendable(t);
            w.Write((byte)Tag.Raw);
            w.Write(RawBytes(value, t));
        }
        else if (t.IsSZArray && IpcSerializers.IsUnmanaged(t.GetElementType()!))
        {
            var arr = (Array)value;
            int size = SizeOf(t.GetElementType()!);
            w.Write((byte)Tag.RawArray);
            w.Write(arr.Length);
            w.Write(MemoryMarshal.CreateReadOnlySpan(ref MemoryMarshal.GetArrayDataReference(arr), arr.Length * size));
        }
        else
        {
            var buffer = new ArrayBufferWriter<byte>();
            Adapter(t).Write(value, buffer);
            w.Write((byte)Tag.Serialized);
            w.Write(buffer.WrittenCount);
            w.Write(buffer.WrittenSpan);
        }
    }

    /// <summary>Reads one value written by <see cref="Write"/> for <paramref name="declared"/>. The bytes may come from a
    /// hostile peer (the pool's queues are shared memory): every tag, type name and length is checked before use.</summary>
    /// <exception cref="IpcSerializationException">The bytes are not a value of <paramref name="declared"/>.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Type names come from the parent, which ran the same binary.")]
    public static object? Read(BinaryReader r, Type declared)
    {
        try { return ReadChecked(r, declared); }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException or ArgumentException or TypeLoadException
                                      or FileNotFoundException or FileLoadException or BadImageFormatException or NotSupportedException)
        {
            throw new IpcSerializationException($"A '{declared}' value could not be read: {e.Message}", e);
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Type names come from the parent, which ran the same binary.")]
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
            case Tag.String:
                if (t != typeof(string)) throw WrongTag(tag, t);
                return r.ReadString();
            case Tag.Raw:
            {
                // Raw bytes only ever fill a struct without references; never a class or a struct holding one.
                if (!t.IsValueType || !IpcSerializers.IsUnmanaged(t)) throw WrongTag(tag, t);
                int size = SizeOf(t);
                var bytes = ReadExactly(r, size);
                object box = RuntimeHelpers.GetUninitializedObject(t);
                bytes.CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.As<RawBox>(box).Data, size));
                return box;
            }
            case Tag.RawArray:
            {
                if (!t.IsSZArray || t.GetElementType() is not { } elem || !IpcSerializers.IsUnmanaged(elem)) throw WrongTag(tag, t);
                int n = r.ReadInt32();
                int size = SizeOf(elem);
                if (n < 0 || (long)n * size > Remaining(r)) throw new IpcSerializationException($"An array of {n} '{elem}' does not fit in the message.");
                var arr = Array.CreateInstance(elem, n);
                r.ReadExactly(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(arr), n * size));
                return arr;
            }
            case Tag.Transfer:
                if (!typeof(ITransferable).IsAssignableFrom(t)) throw WrongTag(tag, t);
                return TransferRegistry.Attach(t, r);
            case Tag.Serialized:
            {
                int n = r.ReadInt32();
                var bytes = ReadExactly(r, n);
                return Adapter(t).Read(bytes);
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

    private static ReadOnlySpan<byte> RawBytes(object box, Type t)
        => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<RawBox>(box).Data, SizeOf(t));

    private static int SizeOf(Type t) => t.IsEnum ? SizeOf(Enum.GetUnderlyingType(t)) : RuntimeHelpers.SizeOf(t.TypeHandle);

    private interface IAdapter
    {
        void Write(object value, IBufferWriter<byte> destination);
        object? Read(byte[] source);
    }

    private sealed class TypedAdapter<T> : IAdapter
    {
        private readonly IIpcSerializer<T> _s = IpcSerializers.For<T>();
        public void Write(object value, IBufferWriter<byte> destination) => _s.Serialize((T)value, destination);
        public object? Read(byte[] source) => _s.Deserialize(source);
    }

    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Adapters over reference types share code; value types take the raw path.")]
    [UnconditionalSuppressMessage("Trimming", "IL2071", Justification = "Same as above.")]
    private static IAdapter Adapter(Type t)
    {
        try { return (IAdapter)Activator.CreateInstance(typeof(TypedAdapter<>).MakeGenericType(t))!; }
        catch (TargetInvocationException e) when (e.InnerException is IpcSerializationException s) { throw s; }
    }
}
