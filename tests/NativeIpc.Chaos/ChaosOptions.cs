using System.Globalization;

namespace NativeIpc.Chaos;

/// <summary>Command line: <c>[--seconds N] [--seed S] [--short] [--lanes L] [--only scenario]</c>; <c>--role ...</c> runs a helper
/// participant instead (the pid-namespace case starts the suite's own binary under <c>unshare</c>).</summary>
internal sealed record ChaosOptions(int Seconds, int Seed, bool Short, int Lanes, string? Only = null)
{
    /// <summary>Length of the mixed-load phase of <c>--short</c> (the CI form) when no <c>--seconds</c> is given.</summary>
    public const int ShortSeconds = 25;

    public static ChaosOptions Parse(string[] args)
    {
        int? seconds = null;
        int seed = Environment.TickCount & 0x7FFF_FFFF;
        bool isShort = false;
        int lanes = 3;
        string? only = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = int.Parse(Next(args, ref i), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(args, ref i), CultureInfo.InvariantCulture); break;
                case "--lanes": lanes = int.Parse(Next(args, ref i), CultureInfo.InvariantCulture); break;
                case "--short": isShort = true; break;
                case "--only": only = Next(args, ref i); break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'. Usage: [--seconds N] [--seed S] [--short] [--lanes L] [--only scenario]");
            }
        }
        return new ChaosOptions(seconds ?? (isShort ? ShortSeconds : 60), seed, isShort, Math.Max(1, lanes), only);
    }

    private static string Next(string[] args, ref int i)
        => ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}
