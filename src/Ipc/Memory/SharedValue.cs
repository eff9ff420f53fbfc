using System.Runtime.CompilerServices;
using NativeIpc.Transfer;

namespace NativeIpc;

/// <summary>One unmanaged value in shared memory, seen by every process that has it: Python's
/// <c>multiprocessing.Value</c>. Pass it to an <see cref="IpcProcess"/> as an argument; the child sees the same value.</summary>
/// <typeparam name="T">An unmanaged type. Atomic arithmetic is offered for <see cref="int"/>, <see cref="long"/>,
/// <see cref="uint"/>, <see cref="ulong"/>, <see cref="float"/> and <see cref="double"/>.</typeparam>
/// <remarks>
/// <para>Unlike Python, <c>v.Value += 1</c> is still a read then a write (two processes can lose an update); use
/// <see cref="Increment"/> / <see cref="Add"/>, which are single atomic instructions across processes and need no lock.</para>
/// <para>The creator removes the segment on dispose; attached copies (e.g. a child's) do not.</para>
/// <para>Python: multiprocessing.Value</para>
/// </remarks>
public sealed unsafe class SharedValue<T> : IDisposable, ITransferable where T : unmanaged
{
    static SharedValue() => Transfer.TransferRegistry.Register(ReadTransfer); // lets a child attach without reflection

    private static readonly uint s_typeTag = SharedSegment.TypeTag(typeof(T));
    private readonly SharedSegment _segment;
    private readonly T* _value;

    private IpcRLock? _lock;
    private bool _lockGiven; // the caller's lock (Python's lock=...): not ours to dispose
    private bool _lockTravels; // a lock other than the companion: children (and theirs) get it by its own name

    private SharedValue(SharedSegment segment)
    {
        _segment = segment;
        _value = (T*)(segment.Payload + ValueLayout.ValueOffset);
        // One page, touched by one-instruction calls: released when collected, so a call needs no CallGuard (Enter/Leave).
        segment.UnmapWhenCollected();
    }

    /// <summary>Creates a shared value holding <paramref name="initial"/>.</summary>
    /// <param name="initial">The starting value.</param>
    /// <param name="name">A segment name of your choice, or null for an unguessable one.</param>
    /// <param name="withLock">Also create the shared <see cref="IpcRLock"/> that <see cref="GetLock"/> returns.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> contains '/' or is too long.</exception>
    /// <remarks>Python: multiprocessing.Value(typecode, value, lock=...) / RawValue</remarks>
    public static SharedValue<T> Create(T initial = default, string? name = null, bool withLock = false)
    {
        var segment = SharedSegment.Create(SegmentKind.Value, ValueLayout.PayloadSize(sizeof(T)), s_typeTag, sizeof(T), name);
        try
        {
            *(T*)(segment.Payload + ValueLayout.ValueOffset) = initial;
            var value = new SharedValue<T>(segment) { _lock = withLock ? CompanionLock.Create(segment.Name) : null };
            segment.MarkReady();
            return value;
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }

    /// <summary>Creates a shared value holding <paramref name="initial"/> whose <see cref="GetLock"/> is
    /// <paramref name="lock"/>, an existing lock (so several values can share one). The value does not dispose it.</summary>
    /// <param name="initial">The starting value.</param>
    /// <param name="lock">The lock <see cref="GetLock"/> returns here and in every child the value is passed to.</param>
    /// <param name="name">A segment name of your choice, or null for an unguessable one.</param>
    /// <exception cref="ArgumentNullException"><paramref name="lock"/> is null.</exception>
    /// <remarks>Python: multiprocessing.Value(typecode, value, lock=existing_lock). A value opened with
    /// <see cref="Attach"/> by name alone does not find the lock; a child given the value as an argument does.</remarks>
    public static SharedValue<T> Create(T initial, IpcRLock @lock, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(@lock);
        var value = Create(initial, name);
        value._lock = @lock;
        value._lockGiven = true;
        value._lockTravels = true;
        return value;
    }

    /// <summary>The lock shared with every process that has this value, for read-modify-write sequences the atomic
    /// members do not cover: <c>using (v.GetLock().Acquire()) v.Value = f(v.Value);</c></summary>
    /// <exception cref="InvalidOperationException">The value was created without a lock.</exception>
    /// <remarks>Python: Value.get_lock()</remarks>
    public IpcRLock GetLock()
    {
        _ = Ptr;
        return _lock ?? throw CompanionLock.Missing("shared value");
    }

    /// <summary>Opens a shared value another process created.</summary>
    /// <exception cref="FileNotFoundException">No segment has that name.</exception>
    /// <exception cref="IpcSegmentMismatchException">The segment is not a shared value of <typeparamref name="T"/>.</exception>
    /// <remarks>Python: (a Value passed to a child process)</remarks>
    public static SharedValue<T> Attach(string name)
    {
        var segment = SharedSegment.Attach(name, SegmentKind.Value, s_typeTag, typeof(T).Name);
        if (segment.ElementSize != sizeof(T))
        {
            segment.Dispose();
            throw new IpcSegmentMismatchException($"'{name}' holds a {segment.ElementSize}-byte value, not a {typeof(T).Name} ({sizeof(T)} bytes).");
        }
        return new SharedValue<T>(segment) { _lock = CompanionLock.TryAttach(name) };
    }

    /// <summary>The segment name other processes attach with.</summary>
    /// <remarks>Python: (no equivalent; Value hides its name)</remarks>
    public string Name => _segment.Name;

    /// <summary>The value. Reads and writes are volatile (never cached in a register) and, for types of 1, 2, 4 or 8
    /// bytes, never torn. A read-modify-write through this property is not atomic: use <see cref="Add"/>.</summary>
    /// <exception cref="ObjectDisposedException">The value was disposed.</exception>
    /// <remarks>Python: Value.value</remarks>
    public T Value
    {
        get
        {
            T result = Read(Enter());
            Leave();
            return result;
        }
        set
        {
            Write(Enter(), value);
            Leave();
        }
    }

    private static T Read(T* p)
    {
        {
            switch (sizeof(T))
            {
                case 1: { byte b = Volatile.Read(ref *(byte*)p); return Unsafe.As<byte, T>(ref b); }
                case 2: { ushort s = Volatile.Read(ref *(ushort*)p); return Unsafe.As<ushort, T>(ref s); }
                case 4: { uint i = Volatile.Read(ref *(uint*)p); return Unsafe.As<uint, T>(ref i); }
                case 8: { ulong l = Volatile.Read(ref *(ulong*)p); return Unsafe.As<ulong, T>(ref l); }
                default: { Interlocked.MemoryBarrier(); return *p; }
            }
        }
    }

    private static void Write(T* p, T value)
    {
        {
            switch (sizeof(T))
            {
                case 1: Volatile.Write(ref *(byte*)p, Unsafe.As<T, byte>(ref value)); break;
                case 2: Volatile.Write(ref *(ushort*)p, Unsafe.As<T, ushort>(ref value)); break;
                case 4: Volatile.Write(ref *(uint*)p, Unsafe.As<T, uint>(ref value)); break;
                case 8: Volatile.Write(ref *(ulong*)p, Unsafe.As<T, ulong>(ref value)); break;
                default: *p = value; Interlocked.MemoryBarrier(); break;
            }
        }
    }

    /// <summary>Atomically adds <paramref name="delta"/> and returns the new value. Safe against other processes
    /// without a lock.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not int, long, uint, ulong, float or double.</exception>
    /// <remarks>Python: <c>with v.get_lock(): v.value += delta</c></remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Add(T delta)
    {
        // No try/finally: for a supported T (checked first, folded away by the JIT) the atomic instruction cannot
        // throw, so the call stays small enough to inline into the caller's loop.
        if (!IsAtomic) throw Unsupported(nameof(Add));
        T* p = Enter();
        T result = AddCore(p, delta);
        Leave();
        return result;
    }

    /// <summary>True for the types with a hardware atomic add, exchange and compare-exchange (a JIT-time constant).</summary>
    private static bool IsAtomic
    {
        // Inlined by force: its IL (six type tests) is past the inliner's budget, though for one T it folds to a constant.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => typeof(T) == typeof(int) || typeof(T) == typeof(long) || typeof(T) == typeof(uint) || typeof(T) == typeof(ulong)
        || typeof(T) == typeof(double) || typeof(T) == typeof(float);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // folds to one instruction for a given T: see IsAtomic
    private static T AddCore(T* p, T delta)
    {
        if (typeof(T) == typeof(int)) return As(Interlocked.Add(ref *(int*)p, Unsafe.As<T, int>(ref delta)));
        if (typeof(T) == typeof(long)) return As(Interlocked.Add(ref *(long*)p, Unsafe.As<T, long>(ref delta)));
        if (typeof(T) == typeof(uint)) return As(Interlocked.Add(ref *(uint*)p, Unsafe.As<T, uint>(ref delta)));
        if (typeof(T) == typeof(ulong)) return As(Interlocked.Add(ref *(ulong*)p, Unsafe.As<T, ulong>(ref delta)));
        if (typeof(T) == typeof(double))
        {
            // No hardware add for floating point: retry a compare-and-swap until no one raced us.
            double d = Unsafe.As<T, double>(ref delta), seen = Volatile.Read(ref *(double*)p);
            while (true)
            {
                double was = Interlocked.CompareExchange(ref *(double*)p, seen + d, seen);
                if (BitEquals(was, seen)) return As(seen + d);
                seen = was;
            }
        }
        if (typeof(T) == typeof(float))
        {
            float d = Unsafe.As<T, float>(ref delta), seen = Volatile.Read(ref *(float*)p);
            while (true)
            {
                float was = Interlocked.CompareExchange(ref *(float*)p, seen + d, seen);
                if (BitEquals(was, seen)) return As(seen + d);
                seen = was;
            }
        }
        throw Unsupported(nameof(Add));
    }

    /// <summary>Atomically adds one and returns the new value.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not int, long, uint, ulong, float or double.</exception>
    /// <remarks>Python: <c>with v.get_lock(): v.value += 1</c></remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Increment() => Add(One(negative: false));

    /// <summary>Atomically subtracts one and returns the new value.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not int, long, uint, ulong, float or double.</exception>
    /// <remarks>Python: <c>with v.get_lock(): v.value -= 1</c></remarks>
    public T Decrement() => Add(One(negative: true));

    /// <summary>Atomically stores <paramref name="value"/> and returns the value it replaced.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not int, long, uint, ulong, float or double.</exception>
    /// <remarks>Python: <c>with v.get_lock(): old, v.value = v.value, value</c></remarks>
    public T Exchange(T value)
    {
        if (!IsAtomic) throw Unsupported(nameof(Exchange));
        T* p = Enter();
        T result = ExchangeCore(p, value); // cannot throw for an atomic T: no try/finally needed
        Leave();
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // folds to one instruction for a given T: see IsAtomic
    private static T ExchangeCore(T* p, T value)
    {
        if (typeof(T) == typeof(int) || typeof(T) == typeof(uint) || typeof(T) == typeof(float))
            return As(Interlocked.Exchange(ref *(int*)p, Unsafe.As<T, int>(ref value)));
        if (typeof(T) == typeof(long) || typeof(T) == typeof(ulong) || typeof(T) == typeof(double))
            return As(Interlocked.Exchange(ref *(long*)p, Unsafe.As<T, long>(ref value)));
        throw Unsupported(nameof(Exchange));
    }

    /// <summary>Atomically stores <paramref name="value"/> if the current value equals <paramref name="comparand"/>
    /// (bit for bit); returns the value found, so the store happened when that equals the comparand.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not int, long, uint, ulong, float or double.</exception>
    /// <remarks>Python: <c>with v.get_lock(): if v.value == comparand: v.value = value</c></remarks>
    public T CompareExchange(T value, T comparand)
    {
        if (!IsAtomic) throw Unsupported(nameof(CompareExchange));
        T* p = Enter();
        T result = CompareExchangeCore(p, value, comparand); // cannot throw for an atomic T: no try/finally needed
        Leave();
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // folds to one instruction for a given T: see IsAtomic
    private static T CompareExchangeCore(T* p, T value, T comparand)
    {
        // Bitwise for float/double too: a CAS that treats NaN as unequal to itself could never succeed.
        if (typeof(T) == typeof(int) || typeof(T) == typeof(uint) || typeof(T) == typeof(float))
            return As(Interlocked.CompareExchange(ref *(int*)p, Unsafe.As<T, int>(ref value), Unsafe.As<T, int>(ref comparand)));
        if (typeof(T) == typeof(long) || typeof(T) == typeof(ulong) || typeof(T) == typeof(double))
            return As(Interlocked.CompareExchange(ref *(long*)p, Unsafe.As<T, long>(ref value), Unsafe.As<T, long>(ref comparand)));
        throw Unsupported(nameof(CompareExchange));
    }

    /// <summary>Unmaps the value once no call is using it; the creator also removes the segment's name. A call in
    /// another thread at that moment finishes on the still-mapped value; later calls throw
    /// <see cref="ObjectDisposedException"/>.</summary>
    /// <remarks>Python: (Value is released by garbage collection)</remarks>
    public void Dispose()
    {
        _segment.Dispose();
        if (!_lockGiven) _lock?.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => _segment.IsDisposed ? $"SharedValue<{typeof(T).Name}>(disposed)" : $"SharedValue<{typeof(T).Name}>({Value})";

    void ITransferable.WriteTransfer(BinaryWriter writer)
    {
        _ = Ptr; // throws if disposed: a child could not attach
        writer.Write(Name);
        CompanionLock.WriteTransfer(writer, _lockTravels, _lock);
    }

    internal static SharedValue<T> ReadTransfer(BinaryReader reader)
    {
        var value = Attach(reader.ReadString());
        CompanionLock.ReadTransfer(reader, ref value._lockTravels, ref value._lock);
        return value;
    }

    private T* Ptr
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            if (_segment.IsDisposed) ThrowDisposed();
            return _value;
        }
    }

    /// <summary>Starts one access: throws once disposed. The mapping outlives Dispose until the segment is collected
    /// (<see cref="SharedSegment.UnmapWhenCollected"/>), so an access racing Dispose is still safe; pair with
    /// <see cref="Leave"/> after the last touch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private T* Enter()
    {
        if (_segment.IsDisposed) ThrowDisposed();
        return _value;
    }

    /// <summary>Ends an access: keeps the segment (and so its mapping) reachable up to here. Costs no instruction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Leave() => GC.KeepAlive(_segment);

    private void ThrowDisposed() => throw new ObjectDisposedException(ToString());

    private static T As<TFrom>(TFrom v) where TFrom : unmanaged => Unsafe.As<TFrom, T>(ref v);

    private static bool BitEquals(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    private static bool BitEquals(float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // folds to one instruction for a given T: see IsAtomic
    private static T One(bool negative)
    {
        if (typeof(T) == typeof(int)) return As(negative ? -1 : 1);
        if (typeof(T) == typeof(long)) return As(negative ? -1L : 1L);
        if (typeof(T) == typeof(uint)) return As(negative ? uint.MaxValue : 1u); // wraps, as unsigned subtraction does
        if (typeof(T) == typeof(ulong)) return As(negative ? ulong.MaxValue : 1ul);
        if (typeof(T) == typeof(double)) return As(negative ? -1d : 1d);
        if (typeof(T) == typeof(float)) return As(negative ? -1f : 1f);
        throw Unsupported(negative ? nameof(Decrement) : nameof(Increment));
    }

    private static NotSupportedException Unsupported(string operation)
        => new($"SharedValue<{typeof(T).Name}>.{operation} is atomic only for int, long, uint, ulong, float and double; " +
               $"for {typeof(T).Name}, read and write Value under a lock.");
}
