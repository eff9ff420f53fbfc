using System.Reflection;
using NativeIpc.Serialization;

namespace NativeIpc.Process;

/// <summary>What a parent tells its child, as bytes on the child's launch channel:
/// <code>
/// "NIPC" u16 version | str parentName | i32 parentPid | i32 parentOwner | str name | bool daemon | str identity | TargetMethod
///   | bool hasContext [ str cwd | i32 n | (str key, str value)* ] | i32 argc | argument*
/// </code>
/// The context (working directory and environment at <c>Start</c>) is sent to standby children, which were started
/// earlier and must still see what the parent set up since. The parent's owner id (<see cref="NativeIpc.Os.ProcessLiveness.Self"/>)
/// is what the child's <c>ParentProcess.IsAlive</c> tests.</summary>
internal sealed record LaunchSpec(string ParentName, int ParentPid, int ParentOwner, string Name, bool Daemon, string Identity, TargetMethod Target)
{
    private const uint Magic = 0x4350494E; // "NIPC"
    private const ushort Version = 3;

    /// <summary>Working directory and environment to apply in the child before the target runs (standby children).</summary>
    public (string WorkingDirectory, IReadOnlyDictionary<string, string> Environment)? Context { get; init; }

    public byte[] Build(object?[] args, ParameterInfo[] parameters)
    {
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms))
        {
            w.Write(Magic); w.Write(Version);
            w.Write(ParentName); w.Write(ParentPid); w.Write(ParentOwner); w.Write(Name); w.Write(Daemon); w.Write(Identity);
            Target.Write(w);
            w.Write(Context is not null);
            if (Context is { } c)
            {
                w.Write(c.WorkingDirectory);
                w.Write(c.Environment.Count);
                foreach (var (k, v) in c.Environment) { w.Write(k); w.Write(v); }
            }
            ArgumentCodec.WriteArguments(w, args, parameters, Target.DisplayName);
        }
        return ms.ToArray();
    }

    /// <summary>Parses the header; <paramref name="reader"/> is left at the arguments.</summary>
    public static LaunchSpec Parse(BinaryReader reader)
    {
        if (reader.ReadUInt32() != Magic || reader.ReadUInt16() != Version)
            throw new IpcChildStartException("The launch spec is not from this version of NativeIpc.");
        var spec = new LaunchSpec(reader.ReadString(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadString(), reader.ReadBoolean(), reader.ReadString(), TargetMethod.Read(reader));
        if (!reader.ReadBoolean()) return spec;
        string cwd = reader.ReadString();
        int n = reader.ReadInt32();
        var env = new Dictionary<string, string>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++) env[reader.ReadString()] = reader.ReadString();
        return spec with { Context = (cwd, env) };
    }
}
