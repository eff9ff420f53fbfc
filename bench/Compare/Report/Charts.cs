using NativeIpc.Compare.Core;
using ScottPlot;

namespace NativeIpc.Compare.Report;

/// <summary>PNG charts with ScottPlot: throughput by message size per system, latency percentiles.
/// Rendering needs SkiaSharp's native library; where it cannot load, the charts are skipped with a note.</summary>
internal static class Charts
{
    public static (IReadOnlyList<string> Files, string? Note) Write(RunResults r, string directory)
    {
        var files = new List<string>();
        foreach (var stale in Directory.EnumerateFiles(directory, "*.png")) File.Delete(stale); // an --only run must not show old charts
        try
        {
            Grouped(r, directory, "queue-throughput.png", "Queue 1→1 throughput by message size (higher is better, log scale)", "messages/s", files,
                ("8 B", "queue-1to1-8B"), ("64 B", "queue-1to1-64B"), ("4 KiB", "queue-1to1-4KiB"), ("64 KiB", "queue-1to1-64KiB"));
            Grouped(r, directory, "pipe-throughput.png", "Pipe one-way throughput by message size (higher is better, log scale)", "MB/s", files,
                ("64 B", "pipe-oneway-64B"), ("4 KiB", "pipe-oneway-4KiB"), ("1 MiB", "pipe-oneway-1MiB"));
            Grouped(r, directory, "latency.png", "Round-trip latency (lower is better)", "µs", files,
                ("pipe median", "pipe-pingpong-median"), ("pipe p99", "pipe-pingpong-p99"), ("event median", "event-pingpong"),
                ("apply_async", "apply-async-rtt"));
            foreach (var series in ScalingReport.All) Lines(r, series, directory, files);
            return (files, null);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
        {
            return (files, $"skipped — ScottPlot could not render on this machine ({e.GetBaseException().Message})");
        }
    }

    private static void Grouped(RunResults r, string directory, string file, string title, string yLabel, List<string> files,
        params (string Label, string Workload)[] groups)
    {
        // Throughputs span 100× between 8 B and 64 KiB messages: they are drawn on a log axis, latencies on a linear one.
        bool log = title.Contains("log scale", StringComparison.Ordinal);
        var present = groups.Where(g => r.Rows.Any(row => row.Spec.Name == g.Workload)).ToArray();
        var systems = r.Systems.Where(s => present.Any(g => Value(r, g.Workload, s) is not null)).ToArray();
        if (present.Length == 0 || systems.Length == 0) return;

        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double slot = systems.Length + 1; // one empty bar's width between groups
        double floor = log ? Math.Floor(Math.Log10(present.SelectMany(g => systems.Select(s => Value(r, g.Workload, s))).Where(v => v > 0).Min()!.Value)) : 0;
        for (int s = 0; s < systems.Length; s++)
        {
            var bars = new List<Bar>();
            for (int g = 0; g < present.Length; g++)
                if (Value(r, present[g].Workload, systems[s]) is { } v)
                    bars.Add(new Bar { Position = g * slot + s, ValueBase = floor, Value = log ? Math.Log10(v) : v, FillColor = palette.GetColor(s) });
            var plotted = plot.Add.Bars(bars);
            plotted.LegendText = systems[s];
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            present.Select((_, g) => g * slot + (systems.Length - 1) / 2.0).ToArray(), present.Select(g => g.Label).ToArray());
        if (log)
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Format.Number(Math.Pow(10, y)),
            };
        plot.Axes.Margins(bottom: 0);
        plot.Axes.SetLimitsX(-1, present.Length * slot - 1);
        plot.Title(title);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        string path = Path.Combine(directory, file);
        plot.SavePng(path, 900, 480);
        files.Add(path);
    }

    /// <summary>A scaling series as lines, one per system; log axes where the values span orders of magnitude.</summary>
    private static void Lines(RunResults r, ScalingReport.Series series, string directory, List<string> files)
    {
        var columns = ScalingReport.Columns(r, series);
        if (columns.Length == 0) return;
        bool logX = series.Id == "queue-size", logY = true;
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int c = 0; c < columns.Length; c++)
        {
            var points = series.Points.Select(p => (p, y: ScalingReport.Value(r, series, p, columns[c]))).Where(t => t.y is > 0).ToArray();
            if (points.Length == 0) continue;
            var xs = points.Select(t => logX ? Math.Log2(t.p.XValue) : t.p.XValue).ToArray();
            var ys = points.Select(t => logY ? Math.Log10(t.y!.Value) : t.y!.Value).ToArray();
            var line = plot.Add.Scatter(xs, ys, palette.GetColor(c));
            line.LegendText = columns[c];
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            series.Points.Select(p => logX ? Math.Log2(p.XValue) : p.XValue).ToArray(), series.Points.Select(p => p.X).ToArray());
        if (logY)
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Format.Number(Math.Pow(10, y)),
            };
        plot.Title(series.Title + (logY ? " (log scale)" : ""));
        plot.XLabel(series.XLabel);
        plot.YLabel(series.YLabel);
        plot.ShowLegend(Alignment.UpperLeft);
        string path = Path.Combine(directory, $"scaling-{series.Id}.png");
        plot.SavePng(path, 900, 480);
        files.Add(path);
    }

    private static double? Value(RunResults r, string workload, string system)
        => r.Rows.FirstOrDefault(row => row.Spec.Name == workload)?.BySystem.GetValueOrDefault(system) is { HasValue: true } m ? m.Median : null;
}
