namespace NativeIpc.Platform.Windows;

/// <summary>The CREATE_UNICODE_ENVIRONMENT block: <c>NAME=value\0</c> entries sorted by name, then one more NUL.</summary>
internal static class EnvironmentBlock
{
    public static char[] Build(IDictionary<string, string> environment)
    {
        // Windows expects names sorted case-insensitively and unique regardless of case.
        var names = environment.Keys.ToArray();
        Array.Sort(names, StringComparer.OrdinalIgnoreCase);
        var block = new System.Text.StringBuilder();
        for (int i = 0; i < names.Length; i++)
        {
            string name = names[i], value = environment[name] ?? "";
            // A leading '=' is legal: cmd.exe keeps per-drive directories as "=C:=C:\dir".
            if (name.Length == 0 || name.IndexOf('=', 1) >= 0 || name.Contains('\0') || value.Contains('\0'))
                throw new ArgumentException($"Invalid environment entry '{name}'.", nameof(environment));
            if (i > 0 && string.Equals(names[i - 1], name, StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"Environment names '{names[i - 1]}' and '{name}' differ only in case.", nameof(environment));
            block.Append(name).Append('=').Append(value).Append('\0');
        }
        if (names.Length == 0) block.Append('\0');
        block.Append('\0');
        return block.ToString().ToCharArray();
    }
}
