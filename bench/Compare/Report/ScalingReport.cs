using System.Globalization;
using System.Text;

namespace NativeIpc.Compare.Report;

/// <summary>The scaling series of a run as tables (console, markdown) and CSV (scaling.csv): queue throughput
/// against message size (8 B … 1 MiB), against producer/consumer process count (1…8 each) and pool throughput
/// against worker count. A series shows the x values whose rows ran; the charts draw the same points.</summary>
internal static class ScalingReport
{
    /// <summary>One scaling series: x label and value per row, and how a row's figure is turned into the y value.</summary>
    public sealed record Series(string Id, string Title, string XLabel, string YLabel, (string X, double XValue, string Workload)[] Points, Func<double, double, double> Y);

    public static readonly Series[] All =
    [
        new("queue-size", "Queue 1→1 throughput against message size", "message size", "MB/s of payload",
        [
            ("8 B", 8, "queue-1to1-8B"), ("64 B", 64, "queue-1to1-64B"), ("256 B", 256, "queue-1to1-256B"),
            ("1 KiB", 1024, "queue-1to1-1KiB"), ("4 KiB", 4096, "queue-1to1-4KiB"), ("16 KiB", 16384, "queue-1to1-16KiB"),
            ("64 KiB", 65536, "queue-1to1-64KiB"), ("256 KiB", 262144, "queue-1to1-256KiB"), ("1 MiB", 1 << 20, "queue-1to1-1MiB"),
        ], (msgPerSecond, size) => msgPerSecond * size / 1e6),
        new("queue-processes", "Queue throughput against producer and consumer processes (N each, 8 B)", "N producers + N consumers", "msg/s",
            [("1", 1, "queue-1p1c-8B"), ("2", 2, "queue-2to2-8B"), ("4", 4, "queue-4to4-8B"), ("8", 8, "queue-8to8-8B")], (v, _) => v),
        new("pool-workers", "Pool throughput against worker count (2 ms CPU tasks, chunk 1)", "workers", "task/s",
            [("1", 1, "pool-map-w1"), ("2", 2, "pool-map-w2"), ("4", 4, "pool-map-w4"), ("8", 8, "pool-map-w8")], (v, _) => v),
    ];

    /// <summary>The columns of a series: every system with a figure on some point, plus the best .NET baseline.</summary>
    public static string[] Columns(RunResults r, Series s)
    {
        var systems = r.Systems.Where(sys => s.Points.Any(p => Value(r, s, p, sys) is not null)).ToList();
        if (s.Points.Any(p => BestBaseline(r, s, p) is not null)) systems.Insert(Math.Min(1, systems.Count), BestDotNet);
        return [.. systems];
    }

    public const string BestDotNet = "best .NET";

    /// <summary>The y value of <paramref name="system"/> at point <paramref name="p"/>, or null when it has none.</summary>
    public static double? Value(RunResults r, Series s, (string X, double XValue, string Workload) p, string system)
    {
        if (system == BestDotNet) return BestBaseline(r, s, p);
        var row = r.Rows.FirstOrDefault(row => row.Spec.Name == p.Workload);
        return row?.BySystem.GetValueOrDefault(system) is { HasValue: true } m ? s.Y(m.Median, p.XValue) : null;
    }

    private static double? BestBaseline(RunResults r, Series s, (string X, double XValue, string Workload) p)
    {
        var values = RunResults.Baselines.Select(b => Value(r, s, p, b)).OfType<double>().ToArray();
        return values.Length > 0 ? values.Max() : null;
    }

    public static string Csv(RunResults r)
    {
        var sb = new StringBuilder("series,x,x_value,system,y,unit\n");
        foreach (var s in All)
            foreach (var p in s.Points)
                foreach (var sys in Columns(r, s))
                    if (Value(r, s, p, sys) is { } y)
                        sb.AppendLine(string.Join(",", s.Id, p.X, p.XValue.ToString(CultureInfo.InvariantCulture), Quote(sys),
                            y.ToString("G6", CultureInfo.InvariantCulture), Quote(s.YLabel)));
        return sb.ToString();
    }

    /// <summary>Console tables, each cell with a small bar (log scale: the series span orders of magnitude).</summary>
    public static string Text(RunResults r)
    {
        var sb = new StringBuilder();
        foreach (var s in All)
        {
            var cols = Columns(r, s);
            if (cols.Length == 0) continue;
            sb.AppendLine().AppendLine($"{s.Title} ({s.YLabel})");
            sb.AppendLine($"  {s.XLabel,-26}" + string.Concat(cols.Select(c => $"{c,24}")));
            var all = s.Points.SelectMany(p => cols.Select(c => Value(r, s, p, c))).OfType<double>().Where(v => v > 0).ToArray();
            double lo = all.Length > 0 ? Math.Log10(all.Min()) : 0, hi = all.Length > 0 ? Math.Log10(all.Max()) : 1;
            foreach (var p in s.Points)
            {
                if (cols.All(c => Value(r, s, p, c) is null)) continue;
                sb.Append($"  {p.X,-26}");
                foreach (var c in cols)
                    sb.Append(Value(r, s, p, c) is { } v ? $"{Format.Number(v),10} {Bar(v, lo, hi),-13}" : $"{"",24}");
                sb.AppendLine();
            }
        }
        return sb.ToString();
    }

    public static string Markdown(RunResults r)
    {
        var sb = new StringBuilder();
        foreach (var s in All)
        {
            var cols = Columns(r, s);
            if (cols.Length == 0) continue;
            sb.AppendLine($"**{s.Title}** ({s.YLabel})").AppendLine();
            sb.AppendLine($"| {s.XLabel} | " + string.Join(" | ", cols) + " |");
            sb.AppendLine("|---|" + string.Concat(cols.Select(_ => "---:|")));
            foreach (var p in s.Points.Where(p => cols.Any(c => Value(r, s, p, c) is not null)))
                sb.AppendLine($"| {p.X} | " + string.Join(" | ", cols.Select(c => Value(r, s, p, c) is { } v ? Format.Number(v) : "")) + " |");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    private static string Bar(double v, double lo, double hi)
    {
        int width = hi > lo ? (int)Math.Round(1 + 11 * (Math.Log10(v) - lo) / (hi - lo)) : 6;
        return new string('#', Math.Clamp(width, 1, 12));
    }

    private static string Quote(string s) => s.Contains(',') ? $"\"{s}\"" : s;
}
