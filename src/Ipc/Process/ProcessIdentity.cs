namespace NativeIpc.Process;

/// <summary>Who this process is in the NativeIpc tree (Python's <c>current_process()</c> data).</summary>
internal static class ProcessIdentity
{
    private static int s_childCounter;

    /// <summary>"MainProcess" in the root, the name given by the parent in a child.</summary>
    public static string Name { get; set; } = "MainProcess";

    public static bool Daemon { get; set; }

    /// <summary>The parent in a NativeIpc child (name, pid, owner id from the launch spec), else null.</summary>
    public static ParentRole? Parent { get; set; }

    /// <summary>Python's _identity, as "1:2"; empty in the root.</summary>
    public static string Identity { get; set; } = "";

    public static string NextChildIdentity()
    {
        int n = Interlocked.Increment(ref s_childCounter);
        return Identity.Length == 0 ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Identity}:{n}";
    }
}
