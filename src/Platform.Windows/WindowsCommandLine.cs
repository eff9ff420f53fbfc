using System.Text;

namespace NativeIpc.Platform.Windows;

/// <summary>Builds a CreateProcessW command line that the MSVCRT / CommandLineToArgvW parser splits back into
/// exactly the given argv.</summary>
internal static class WindowsCommandLine
{
    /// <summary>Joins <paramref name="argv"/> (argv[0] included) into one command line.</summary>
    /// <exception cref="ArgumentException">argv is empty, an argument holds a NUL, or argv[0] holds a quote
    /// (the parser takes argv[0] verbatim up to the next quote, so it cannot carry one).</exception>
    public static string Build(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0) throw new ArgumentException("argv needs at least argv[0].", nameof(argv));
        var sb = new StringBuilder();
        for (int i = 0; i < argv.Count; i++)
        {
            string arg = argv[i] ?? throw new ArgumentException($"argv[{i}] is null.", nameof(argv));
            if (arg.Contains('\0')) throw new ArgumentException($"argv[{i}] contains a NUL character.", nameof(argv));
            if (i > 0) sb.Append(' ');
            if (i == 0) AppendProgramName(sb, arg);
            else AppendArgument(sb, arg);
        }
        return sb.ToString();
    }

    /// <summary>Appends one argument (not argv[0]), quoting and escaping it only where the parser needs it.</summary>
    public static void AppendArgument(StringBuilder sb, string arg)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(arg);
        if (arg.Length > 0 && arg.AsSpan().IndexOfAny(" \t\n\v\"") < 0)
        {
            sb.Append(arg);
            return;
        }
        sb.Append('"');
        int backslashes = 0;
        foreach (char c in arg)
        {
            if (c == '\\') { backslashes++; continue; }
            // Backslashes are literal unless they precede a quote: then each is doubled and the quote escaped.
            if (c == '"') sb.Append('\\', backslashes * 2 + 1);
            else sb.Append('\\', backslashes);
            backslashes = 0;
            sb.Append(c);
        }
        // Trailing backslashes precede the closing quote, so they are doubled too.
        sb.Append('\\', backslashes * 2).Append('"');
    }

    private static void AppendProgramName(StringBuilder sb, string arg)
    {
        if (arg.Contains('"')) throw new ArgumentException("argv[0] cannot contain a double quote.", "argv");
        if (arg.Length > 0 && arg.AsSpan().IndexOfAny(" \t") < 0) sb.Append(arg);
        else sb.Append('"').Append(arg).Append('"');
    }
}
