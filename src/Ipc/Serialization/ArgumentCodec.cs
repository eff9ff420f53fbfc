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

    [UnconditionalSuppressMessage("Trimming", "IL2057", Justification = "Type names come from the parent, which ran the same binary.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "ReadTransfer is declared by NativeIpc's own transferable types.")]
    public static object? Read(BinaryReader r, Type declared)
    {
        var tag = (Tag)r.ReadByte();
        var t = declared;
        if (tag == Tag.Typed)
        {
            string name = r.ReadString();
            t = Type.GetType(name, throwOnError: false) ?? throw new IpcSerializationException($"Type '{name}' was not found in the child process.");
            tag = (Tag)r.ReadByte();
        }
        t = Nullable.GetUnderlyingType(t) ?? t;
        switch (tag)
        {
            case Tag.Null: return null;
            case Tag.String: return r.ReadString();
            case Tag.Raw:
            {
                int size = SizeOf(t);
                object box = RuntimeHelpers.GetUninitializedObject(t);
                r.ReadExactly(MemoryMarshal.CreateSpan(ref Unsafe.As<RawBox>(box).Data, size));
                return box;
            }
            case Tag.RawArray:
            {
                var elem = t.GetElementType()!;
                int n = r.ReadInt32();
                var arr = Array.CreateInstance(elem, n);
                r.ReadExactly(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(arr), n * SizeOf(elem)));
                return arr;
            }
            case Tag.Transfer:
                return TransferRegistry.Attach(t, r);
            case Tag.Serialized:
            {
                int n = r.ReadInt32();
                var bytes = r.ReadBytes(n);
                return Adapter(t).Read(bytes);
            }
            default: throw new IpcSerializationException($"Corrupt launch spec: unknown argument tag {(byte)tag}.");
        }
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
