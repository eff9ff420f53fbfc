using NativeIpc.Platform.Unix;

namespace NativeIpc.Os;

/// <summary>This process's environment as the programs it starts will see it. On Unix .NET keeps a managed copy
/// that only managed starts read; <c>system()</c> and native spawns read the C library's <c>environ</c>, so both are
/// changed. On Windows .NET writes the one process block (SetEnvironmentVariableW) itself.</summary>
internal static class ProcessEnvironment
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>, or removes it when null, in every copy.</summary>
    public static void Set(string name, string? value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (OperatingSystem.IsLinux()) ChildInheritance.SetEnvironmentVariable(name, value);
    }
}
