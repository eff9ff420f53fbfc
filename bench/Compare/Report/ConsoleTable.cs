namespace NativeIpc.Compare.Report;

/// <summary>The results as a plain-text table: median (min–max) per system, then NativeIpc's advantage.</summary>
internal static class ConsoleTable
{
    public static string Render(RunResults r)
    {
        var header = new List<string> { "workload", "unit" };
        header.AddRange(r.Systems);
        header.AddRange(["NIPC vs Py", "NIPC vs .NET"]);
        var lines = new List<string[]> { header.ToArray() };
        foreach (var row in r.Rows)
        {
            var cells = new List<string> { row.Spec.Title, row.Spec.Unit };
            cells.AddRange(r.Systems.Select(s => row.BySystem.TryGetValue(s, out var m) ? Format.Cell(m) : ""));
            cells.Add(Format.Ratio(row.Advantage(RunResults.Python)));
            cells.Add(Format.Ratio(row.AdvantageOverBestBaseline()));
            lines.Add(cells.ToArray());
        }
        var widths = Enumerable.Range(0, header.Count).Select(i => lines.Max(l => l[i].Length)).ToArray();
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("Machine: " + r.Machine);
        sb.AppendLine(Limits(r));
        for (int li = 0; li < lines.Count; li++)
        {
            sb.AppendLine(string.Join("  ", lines[li].Select((c, i) => i < 2 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd());
            if (li == 0) sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
        sb.AppendLine("Cells: median (min–max) of the repeated runs. \"vs\" columns: how many times better NativeIpc is (>1 = NativeIpc wins; .NET = the better baseline).");
        return sb.ToString();
    }

    public static string Limits(RunResults r)
        => $"Physical reference: memcpy 64 MiB {Format.Cell(r.MemcpyGigabytesPerSecond)} GB/s; " +
           $"two-thread cache-line round trip {Format.Cell(r.CacheLineRoundTripNanoseconds)} ns" +
           // Above a microsecond the two threads never ran at the same time: the figure is the scheduler's, not the cache's.
           (r.CacheLineRoundTripNanoseconds is { HasValue: true, Median: > 1000 } ? " (disturbed: the threads did not get two CPUs at once; machine busy)" : "");
}
