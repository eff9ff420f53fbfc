using System.Reflection;
using NativeIpc.Serialization;

namespace NativeIpc.Process;

/// <summary>What a parent tells its child, as bytes on the child's launch channel:
/// <code>
/// "NIPC" u16 version | i32 parentPid | str name | bool daemon | str identity | TargetMethod | i32 argc | argument*
/// </code></summary>
internal sealed record LaunchSpec(int ParentPid, string Name, bool Daemon, string Identity, TargetMethod Target)
{
    private const uint Magic = 0x4350494E; // "NIPC"
    private const ushort Version = 1;

    public byte[] Build(object?[] args, ParameterInfo[] parameters)
    {
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms))
        {
            w.Write(Magic); w.Write(Version);
            w.Write(ParentPid); w.Write(Name); w.Write(Daemon); w.Write(Identity);
            Target.Write(w);
            ArgumentCodec.WriteArguments(w, args, parameters, Target.DisplayName);
        }
        return ms.ToArray();
    }

    /// <summary>Parses the header; <paramref name="reader"/> is left at the arguments.</summary>
    public static LaunchSpec Parse(BinaryReader reader)
    {
        if (reader.ReadUInt32() != Magic || reader.ReadUInt16() != Version)
            throw new IpcChildStartException("The launch spec is not from this version of NativeIpc.");
        return new LaunchSpec(reader.ReadInt32(), reader.ReadString(), reader.ReadBoolean(), reader.ReadString(), TargetMethod.Read(reader));
    }
}
