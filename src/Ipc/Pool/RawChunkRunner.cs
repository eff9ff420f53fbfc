using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NativeIpc.Serialization;

namespace NativeIpc.Pool;

/// <summary>Runs a chunk whose items came as one raw block (<see cref="PoolMessageLayout.RawBlock"/>): the target is called
/// through a <c>Func&lt;T, TResult&gt;</c> made once per target, each item read straight from the block, and a result of a
/// raw-block type goes back as one raw block (no boxing, reflection or encoding per item). Where the runtime makes no
/// generic code at run time (NativeAOT), the target is invoked by reflection on values boxed from the block instead.</summary>
internal abstract class RawChunkRunner
{
    private static readonly ConcurrentDictionary<MethodInfo, RawChunkRunner> s_runners = new();

    /// <summary>Runs every item and returns the result message; throws what the target throws (the chunk fails).</summary>
    public abstract byte[] Run(long taskId, ReadOnlySpan<byte> block, int items);

    /// <summary>The runner for <paramref name="target"/>, made on its first raw chunk.</summary>
    /// <exception cref="IpcSerializationException">The target does not take one argument of a raw-block type of
    /// <paramref name="itemSize"/> bytes: the block cannot be its arguments.</exception>
    public static RawChunkRunner For(PoolWorker.Resolved target, int itemSize)
    {
        // Raw bytes only ever fill a struct without references: checked here, in the process that reads them.
        if (target.Parameters is not [{ ParameterType: var argument }] || !PoolMessage.IsRawBlockType(argument) || IpcSerializers.SizeOf(argument) != itemSize)
            throw new IpcSerializationException($"A raw block of {itemSize}-byte items cannot be the arguments of '{target.DisplayName}'.");
        return s_runners.GetOrAdd(target.Method, static (_, t) => Create(t.Target, t.Argument), (Target: target, Argument: argument));
    }

    private static RawChunkRunner Create(PoolWorker.Resolved target, Type argument)
    {
        var result = target.Method.ReturnType;
        if (RuntimeFeature.IsDynamicCodeSupported && result != typeof(void) && !result.IsByRefLike && !result.IsPointer)
        {
            var make = typeof(RawChunkRunner).GetMethod(nameof(MakeTyped), BindingFlags.NonPublic | BindingFlags.Static)!;
            return (RawChunkRunner)make.MakeGenericMethod(argument, result).Invoke(null, [target])!;
        }
        return new Reflective(target, argument);
    }

    private static RawChunkRunner MakeTyped<T, TResult>(PoolWorker.Resolved target)
        => new Typed<T, TResult>(target.Method.CreateDelegate<Func<T, TResult>>(target.Instance));

    /// <summary>Calls the target through its typed delegate.</summary>
    private sealed class Typed<T, TResult>(Func<T, TResult> function) : RawChunkRunner
    {
        private readonly bool _rawResult = PoolMessage.IsRawBlockType(typeof(TResult));

        public override byte[] Run(long taskId, ReadOnlySpan<byte> block, int items)
        {
            ref byte source = ref MemoryMarshal.GetReference(block);
            int size = Unsafe.SizeOf<T>();
            if (_rawResult)
            {
                int resultSize = Unsafe.SizeOf<TResult>();
                byte[] message = PoolMessage.RawResult(taskId, items, resultSize, out int at);
                ref byte destination = ref message[at];
                for (int i = 0; i < items; i++)
                    Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, i * resultSize), function(Unsafe.ReadUnaligned<T>(ref Unsafe.Add(ref source, i * size))));
                return message;
            }
            var ms = new MemoryStream();
            using (var w = PoolMessage.BeginResult(ms, taskId, items))
                for (int i = 0; i < items; i++)
                    ArgumentCodec.Write(w, function(Unsafe.ReadUnaligned<T>(ref Unsafe.Add(ref source, i * size))), typeof(TResult));
            return ms.ToArray();
        }
    }

    /// <summary>Invokes the target by reflection, each argument boxed from the block; results are written one by one.</summary>
    private sealed class Reflective(PoolWorker.Resolved target, Type argument) : RawChunkRunner
    {
        private readonly int _size = IpcSerializers.SizeOf(argument);

        public override byte[] Run(long taskId, ReadOnlySpan<byte> block, int items)
        {
            // A void method sends null, as PoolWorker.Execute does.
            var returnType = target.Method.ReturnType == typeof(void) ? typeof(object) : target.Method.ReturnType;
            ref byte source = ref MemoryMarshal.GetReference(block);
            var args = new object?[1];
            var ms = new MemoryStream();
            using (var w = PoolMessage.BeginResult(ms, taskId, items))
                for (int i = 0; i < items; i++)
                {
                    args[0] = RuntimeHelpers.Box(ref Unsafe.Add(ref source, i * _size), argument.TypeHandle);
                    ArgumentCodec.Write(w, target.Method.Invoke(target.Instance, BindingFlags.DoNotWrapExceptions, null, args, null), returnType);
                }
            return ms.ToArray();
        }
    }
}
