using System.Text;

namespace NativeIpc.Compare.Report;

/// <summary>results.md: the same table as the console, in markdown, with the charts linked.</summary>
internal static class MarkdownReport
{
    public static string Render(RunResults r, IReadOnlyList<string> charts, string? chartNote)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# NativeIpc compared — {r.When:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine($"{r.Machine}; Python {r.PythonVersion ?? "not run"}; {(r.Settings.Quick ? "--quick" : "full")} run, " +
                      $"{r.Settings.Repeats} repeats after a warm-up. Cells: median (min–max). \"vs\" columns: how many times better " +
                      "NativeIpc is (above 1 = NativeIpc wins; .NET = the best .NET baseline). Workloads: see bench/Compare/README.md.");
        sb.AppendLine();
        sb.AppendLine("**Physical reference:** " + ConsoleTable.Limits(r).Replace("Physical reference: ", ""));
        sb.AppendLine();
        sb.AppendLine("| workload | unit | " + string.Join(" | ", r.Systems) + " | NIPC vs Py | NIPC vs .NET |");
        sb.AppendLine("|---|---|" + string.Concat(r.Systems.Select(_ => "---:|")) + "---:|---:|");
        foreach (var row in r.Rows)
            sb.AppendLine($"| {row.Spec.Title} | {row.Spec.Unit} | " +
                          string.Join(" | ", r.Systems.Select(s => row.BySystem.TryGetValue(s, out var m) ? Format.Cell(m) : "")) +
                          $" | {Format.Ratio(row.Advantage(RunResults.Python))} | {Format.Ratio(row.AdvantageOverBestBaseline())} |");
        sb.AppendLine();
        foreach (var note in Core.Calibration.Notes) sb.AppendLine($"- {note}");
        sb.AppendLine();
        sb.AppendLine(ScalingReport.Markdown(r));
        foreach (var c in charts) sb.AppendLine($"![{Path.GetFileNameWithoutExtension(c)}]({Path.GetFileName(c)})");
        if (chartNote is not null) sb.AppendLine($"Charts: {chartNote}");
        return sb.ToString();
    }
}
