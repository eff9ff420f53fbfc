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
        Interlocked.Increment(ref s_registrations);
    }

    private static int s_registrations;

    /// <summary>How many serializers were registered so far: a cached per-type decision made at a lower count is stale.</summary>
    internal static int Registrations => Volatile.Read(ref s_registrations);

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

    // System.Text.Json's own feature switch guards the reflection fallback: PublishAot and trimmed publishes set it false,
    // and the compiler removes the branch, so no trimmed app reaches it (the analyzer cannot see a switch as a guard).
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Behind JsonSerializer.IsReflectionEnabledByDefault, false in trimmed apps.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Behind JsonSerializer.IsReflectionEnabledByDefault, false in NativeAOT apps.")]
    private static IIpcSerializer<T> Create<T>()
    {
        var t = typeof(T);
        if (FromAttribute<T>() is { } a) return a;
        RejectUnsendable(t);
        // Built without reflection over generic instantiations, so NativeAOT has the code for every T in use.
        if (!RuntimeHelpers.IsReferenceOrContainsReferences<T>()) return new UnmanagedSerializer<T>();
        if (t == typeof(string)) return (IIpcSerializer<T>)(object)StringSerializer.Instance;
        if (t.IsSZArray && IsUnmanaged(t.GetElementType()!)) return new UnmanagedArraySerializer<T>();
        if (JsonSerializer.IsReflectionEnabledByDefault) return new JsonIpcSerializer<T>();
        throw new IpcSerializationException(
            $"Type '{t}' has no IPC serializer. Put [IpcSerializer(typeof(YourSerializer))] on it (an IIpcSerializer<{t.Name}>, " +
            "e.g. wrapping a JsonSerializerContext or MemoryPackIpcSerializer<T>), or call IpcSerializers.Register in every process.");
    }

    /// <summary>The serializer named by <typeparamref name="T"/>'s <see cref="IpcSerializerAttribute"/>, if any. The
    /// attribute's annotation keeps the serializer's constructor under trimming and NativeAOT.</summary>
    internal static IIpcSerializer<T>? FromAttribute<T>()
    {
        var t = typeof(T);
        var attr = t.GetCustomAttribute<IpcSerializerAttribute>();
        if (attr is null) return null;
        object serializer;
        try { serializer = Activator.CreateInstance(attr.SerializerType)!; }
        catch (Exception e) { throw new IpcSerializationException($"Could not create serializer '{attr.SerializerType}' for '{t}': {e.Message}", e); }
        return serializer as IIpcSerializer<T> ?? throw new IpcSerializationException(
            $"[IpcSerializer(typeof({attr.SerializerType.Name}))] on '{t}' names a type that does not implement IIpcSerializer<{t.Name}>.");
    }

    /// <summary>The serializer for <paramref name="t"/>, known only at run time (a child's argument types): the same
    /// choice as <see cref="For{T}"/> for the types that reach it (unmanaged values are raw-copied before), made
    /// without generic code, so it works under NativeAOT for any type the program uses.</summary>
    /// <exception cref="IpcSerializationException">The type cannot cross a process boundary.</exception>
    // The JSON fallback sits behind System.Text.Json's own feature switch, as in Create<T>.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Behind JsonSerializer.IsReflectionEnabledByDefault, false in trimmed apps.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Behind JsonSerializer.IsReflectionEnabledByDefault, false in NativeAOT apps.")]
    internal static IIpcSerializer ForType(Type t)
    {
        if (Registered(t) is { } r) return r;
        if (FromAttribute(t) is { } a) return a;
        RejectUnsendable(t);
        if (t == typeof(string)) return StringSerializer.Instance;
        if (t.IsSZArray && IsUnmanaged(t.GetElementType()!)) return new RawArraySerializer(t);
        if (JsonSerializer.IsReflectionEnabledByDefault) return new JsonObjectSerializer(t);
        throw new IpcSerializationException(
            $"Type '{t}' has no IPC serializer. Put [IpcSerializer(typeof(YourSerializer))] on it (an IIpcSerializer<{t.Name}>, " +
            "e.g. wrapping a JsonSerializerContext or MemoryPackIpcSerializer<T>), or call IpcSerializers.Register in every process.");
    }

    /// <summary>The serializer registered for <paramref name="t"/> in this process, if any.</summary>
    internal static IIpcSerializer? Registered(Type t) => s_registered.TryGetValue(t, out var r) ? (IIpcSerializer)r : null;

    /// <summary>The untyped form of <see cref="FromAttribute{T}"/>.</summary>
    private static IIpcSerializer? FromAttribute(Type t)
    {
        var attr = t.GetCustomAttribute<IpcSerializerAttribute>();
        if (attr is null) return null;
        var expected = attr.SerializerType.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IIpcSerializer<>) && i.GetGenericArguments()[0] == t);
        if (!expected)
            throw new IpcSerializationException($"[IpcSerializer(typeof({attr.SerializerType.Name}))] on '{t}' names a type that does not implement IIpcSerializer<{t.Name}>.");
        try { return (IIpcSerializer)Activator.CreateInstance(attr.SerializerType)!; }
        catch (Exception e) { throw new IpcSerializationException($"Could not create serializer '{attr.SerializerType}' for '{t}': {e.Message}", e); }
    }

    /// <summary>True when <paramref name="t"/> names its serializer with <see cref="IpcSerializerAttribute"/>.</summary>
    internal static bool HasAttribute(Type t) => t.IsDefined(typeof(IpcSerializerAttribute), inherit: false);

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

    private static readonly ConcurrentDictionary<Type, bool> s_unmanaged = new();

    /// <summary>True for types with no managed references, copied byte for byte (non-generic form of
    /// <see cref="RuntimeHelpers.IsReferenceOrContainsReferences{T}"/>).</summary>
    /// <remarks>Asks the runtime, not the type's fields: a default box of the struct can be pinned exactly when it holds
    /// no references. Field reflection would need metadata that trimming and NativeAOT remove (and then took a struct
    /// holding a string for raw bytes).</remarks>
    internal static bool IsUnmanaged(Type t)
    {
        if (t.IsPrimitive || t.IsEnum || t.IsPointer) return true;
        if (!t.IsValueType || t.IsByRefLike || t.ContainsGenericParameters) return false;
        return s_unmanaged.GetOrAdd(t, static t =>
        {
            var zero = new byte[Math.Max(1, SizeOf(t))];
            object? box = RuntimeHelpers.Box(ref zero[0], t.TypeHandle);
            try { GCHandle.Alloc(box, GCHandleType.Pinned).Free(); return true; }
            catch (ArgumentException) { return false; } // "contains references": not pinnable
        });
    }

    /// <summary>True when <see cref="For{T}"/> for <paramref name="t"/> is the built-in byte-for-byte copy (an unmanaged
    /// struct with no registered or attribute serializer): the non-generic form, for <see cref="ArgumentCodec"/>.</summary>
    internal static bool IsRawCopied(Type t)
        => t.IsValueType && !s_registered.ContainsKey(t) && !HasAttribute(t) && IsUnmanaged(t);

    /// <summary>Size in bytes of an unmanaged type (an enum's is its underlying type's). The only place that computes it.</summary>
    internal static int SizeOf(Type t) => t.IsEnum ? SizeOf(Enum.GetUnderlyingType(t)) : RuntimeHelpers.SizeOf(t.TypeHandle);
}
