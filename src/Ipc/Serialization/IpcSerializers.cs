using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace NativeIpc;

/// <summary>Finds the serializer for a type. In order: one registered with <see cref="Register{T}"/>, one named by
/// <see cref="IpcSerializerAttribute"/>, the built-in fast paths (unmanaged values copied as raw bytes,
/// <see cref="string"/>, arrays of unmanaged values and <c>byte[]</c>), then System.Text.Json.</summary>
/// <remarks>A registration made in <c>Main</c> is not seen by a spawned child, whose <c>Main</c> never runs;
/// the attribute is. Under NativeAOT, System.Text.Json's reflection path is off: give such types an
/// <see cref="IpcSerializerAttribute"/> (for example one built on a <c>JsonSerializerContext</c>).</remarks>
public static class IpcSerializers
{
    private static readonly ConcurrentDictionary<Type, object> s_registered = new();

    /// <summary>Makes <paramref name="serializer"/> the one used for <typeparamref name="T"/> in this process.</summary>
    public static void Register<T>(IIpcSerializer<T> serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        s_registered[typeof(T)] = serializer;
    }

    /// <summary>The serializer for <typeparamref name="T"/>.</summary>
    /// <exception cref="IpcSerializationException">The type cannot cross a process boundary.</exception>
    public static IIpcSerializer<T> For<T>()
    {
        if (s_registered.TryGetValue(typeof(T), out var r)) return (IIpcSerializer<T>)r;
        return Cache<T>.Instance ?? throw new IpcSerializationException(Cache<T>.Error!);
    }

    private static class Cache<T>
    {
        public static readonly IIpcSerializer<T>? Instance;
        public static readonly string? Error;

        static Cache()
        {
            try { Instance = Create<T>(); }
            catch (IpcSerializationException e) { Error = e.Message; }
        }
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "JSON reflection is used only when the runtime allows it.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "JSON reflection is used only when the runtime allows it.")]
    private static IIpcSerializer<T> Create<T>()
    {
        var t = typeof(T);
        if (FromAttribute(t) is { } a) return (IIpcSerializer<T>)a;
        RejectUnsendable(t);
        // Built without reflection over generic instantiations, so NativeAOT has the code for every T in use.
        if (!RuntimeHelpers.IsReferenceOrContainsReferences<T>()) return new UnmanagedSerializer<T>();
        if (t == typeof(string)) return (IIpcSerializer<T>)(object)StringSerializer.Instance;
        if (t.IsSZArray && IsUnmanaged(t.GetElementType()!)) return new UnmanagedArraySerializer<T>();
        if (JsonSerializer.IsReflectionEnabledByDefault) return new JsonIpcSerializer<T>();
        throw new IpcSerializationException(
            $"Type '{t}' has no IPC serializer. Put [IpcSerializer(typeof(YourSerializer))] on it (an IIpcSerializer<{t.Name}>, e.g. wrapping a JsonSerializerContext).");
    }

    /// <summary>The serializer named by the type's <see cref="IpcSerializerAttribute"/>, if any.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Serializer types are named in attributes and kept by the user's code.")]
    internal static object? FromAttribute(Type t)
    {
        var attr = t.GetCustomAttribute<IpcSerializerAttribute>();
        if (attr is null) return null;
        var expected = typeof(IIpcSerializer<>).MakeGenericType(t);
        if (!expected.IsAssignableFrom(attr.SerializerType))
            throw new IpcSerializationException($"[IpcSerializer(typeof({attr.SerializerType.Name}))] on '{t}' names a type that does not implement IIpcSerializer<{t.Name}>.");
        try { return Activator.CreateInstance(attr.SerializerType)!; }
        catch (Exception e) { throw new IpcSerializationException($"Could not create serializer '{attr.SerializerType}' for '{t}': {e.Message}", e); }
    }

    /// <summary>Types whose values mean nothing in another process.</summary>
    internal static void RejectUnsendable(Type t)
    {
        if (typeof(Delegate).IsAssignableFrom(t) || t.IsPointer || t.IsByRef || t.IsByRefLike
            || typeof(MarshalByRefObject).IsAssignableFrom(t) || typeof(SafeHandle).IsAssignableFrom(t)
            || typeof(Task).IsAssignableFrom(t) || typeof(Thread).IsAssignableFrom(t) || typeof(MemberInfo).IsAssignableFrom(t)
            || t == typeof(IntPtr) || t == typeof(UIntPtr))
            throw new IpcSerializationException(
                $"A value of type '{t}' cannot be sent to another process: it refers to something that exists only in this process. Send the data it holds instead.");
    }

    /// <summary>True for types with no managed references, copied byte for byte (non-generic form).</summary>
    internal static bool IsUnmanaged(Type t)
    {
        if (t.IsPrimitive || t.IsEnum || t.IsPointer) return true;
        if (!t.IsValueType || t.IsByRefLike) return false;
        foreach (var f in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            if (!IsUnmanaged(f.FieldType)) return false;
        return true;
    }

    /// <summary>True when <see cref="For{T}"/> for <paramref name="t"/> is the built-in byte-for-byte copy (an unmanaged
    /// struct with no registered or attribute serializer): the non-generic form, for <see cref="ArgumentCodec"/>.</summary>
    internal static bool IsRawCopied(Type t)
        => t.IsValueType && !s_registered.ContainsKey(t) && FromAttribute(t) is null && IsUnmanaged(t);

    /// <summary>Size in bytes of an unmanaged type (an enum's is its underlying type's). The only place that computes it.</summary>
    internal static int SizeOf(Type t) => t.IsEnum ? SizeOf(Enum.GetUnderlyingType(t)) : RuntimeHelpers.SizeOf(t.TypeHandle);
}
