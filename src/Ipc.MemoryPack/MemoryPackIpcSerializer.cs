using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using MemoryPack;

namespace NativeIpc.MemoryPack;

/// <summary>An <see cref="IIpcSerializer{T}"/> that encodes with MemoryPack. Put it on a <c>[MemoryPackable]</c> type
/// so every process (each spawned child included) finds it:
/// <code>
/// [MemoryPackable]
/// [IpcSerializer(typeof(MemoryPackIpcSerializer&lt;Order&gt;))]
/// public partial record Order(int Id, string Item, double Price);
/// </code>
/// MemoryPack's source generator writes the formatter, so nothing is reflected at run time: it works under NativeAOT.</summary>
/// <typeparam name="T">The type sent: a <c>[MemoryPackable]</c> type (its generated code implements
/// <see cref="IMemoryPackFormatterRegister"/>). Annotated as MemoryPack's own API is, so trimming keeps what its
/// formatter needs.</typeparam>
public sealed class MemoryPackIpcSerializer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] T> : IIpcSerializer<T>
    where T : IMemoryPackFormatterRegister
{
    // Registers the generated formatter by a static call: MemoryPack's own lookup finds it by reflection, which
    // NativeAOT trims ("can not found RegisterFormatter").
    static MemoryPackIpcSerializer() => MemoryPackFormatterProvider.Register<T>();

    /// <inheritdoc/>
    public void Serialize(T value, IBufferWriter<byte> destination) => MemoryPackSerializer.Serialize(destination, value);

    /// <inheritdoc/>
    /// <exception cref="IpcSerializationException">The bytes are not a MemoryPack <typeparamref name="T"/> (or the value was null).</exception>
    public T Deserialize(ReadOnlySpan<byte> source)
    {
        try
        {
            return MemoryPackSerializer.Deserialize<T>(source)
                ?? throw new IpcSerializationException($"The bytes decode to a null '{typeof(T)}'.");
        }
        catch (MemoryPackSerializationException e)
        {
            throw new IpcSerializationException($"The bytes are not a MemoryPack '{typeof(T)}': {e.Message}", e);
        }
    }
}
