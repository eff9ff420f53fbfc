using System.Diagnostics.CodeAnalysis;

namespace NativeIpc;

/// <summary>Names the <see cref="IIpcSerializer{T}"/> for the type it decorates. Every process — the parent and
/// each spawned child — finds it, so it is the way to give a custom type to a child process.</summary>
/// <param name="serializerType">A class with a public parameterless constructor implementing
/// <see cref="IIpcSerializer{T}"/> for the decorated type.</param>
/// <remarks>The annotation keeps the serializer's constructor (and which interfaces it implements) when the app is
/// trimmed or compiled with NativeAOT.</remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Enum, Inherited = false)]
public sealed class IpcSerializerAttribute(
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.Interfaces)] Type serializerType) : Attribute
{
    /// <summary>The serializer class.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.Interfaces)]
    public Type SerializerType { get; } = serializerType;
}
