using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NativeIpc.Transfer;

/// <summary>How a child attaches the NativeIpc objects it was passed: each transferable type registers its
/// <c>ReadTransfer</c> from its static constructor, which <see cref="Attach"/> runs on demand. No reflection over
/// members, so it works under trimming and NativeAOT (where the instantiations exist because the parent used them).</summary>
internal static class TransferRegistry
{
    private static readonly ConcurrentDictionary<Type, Func<BinaryReader, object>> s_factories = new();

    /// <summary>Called from each transferable type's static constructor.</summary>
    public static void Register<T>(Func<BinaryReader, T> readTransfer) where T : class, ITransferable
        => s_factories[typeof(T)] = readTransfer;

    /// <summary>In a child: attaches to the object described by <paramref name="reader"/> as a <paramref name="type"/>.</summary>
    public static object Attach([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.NonPublicConstructors)] Type type, BinaryReader reader)
    {
        if (!s_factories.TryGetValue(type, out var factory))
        {
            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            if (!s_factories.TryGetValue(type, out factory))
                throw new IpcSerializationException($"'{type}' cannot be attached in a child process.");
        }
        return factory(reader);
    }
}
