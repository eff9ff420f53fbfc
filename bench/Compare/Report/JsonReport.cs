using System.Text.Json;
using System.Text.Json.Nodes;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Report;

/// <summary>results.json: every value of every repeat, so later tools need not parse the table.</summary>
internal static class JsonReport
{
    public static string Render(RunResults r)
    {
        var rows = new JsonArray();
        foreach (var row in r.Rows)
        {
            var systems = new JsonObject();
            foreach (var (s, m) in row.BySystem) systems[s] = Node(m);
            rows.Add(new JsonObject
            {
                ["name"] = row.Spec.Name, ["title"] = row.Spec.Title, ["unit"] = row.Spec.Unit,
                ["higherIsBetter"] = row.Spec.HigherIsBetter, ["count"] = r.Settings.CountOf(row.Spec.Name),
                ["messageBytes"] = row.Spec.MessageBytes, ["systems"] = systems,
                ["nativeIpcVsPython"] = row.Advantage(RunResults.Python), ["nativeIpcVsDotNet"] = row.AdvantageOverBestBaseline(),
            });
        }
        var root = new JsonObject
        {
            ["when"] = r.When.ToString("O"), ["machine"] = r.Machine, ["quick"] = r.Settings.Quick, ["repeats"] = r.Settings.Repeats,
            ["python"] = r.PythonVersion, ["systems"] = new JsonArray(r.Systems.Select(s => (JsonNode?)s).ToArray()),
            ["memcpyGBps"] = Node(r.MemcpyGigabytesPerSecond), ["cacheLineRoundTripNs"] = Node(r.CacheLineRoundTripNanoseconds),
            ["workloads"] = rows,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static JsonObject Node(Measurement m) => m.HasValue
        ? new JsonObject { ["median"] = m.Median, ["min"] = m.Min, ["max"] = m.Max, ["values"] = new JsonArray(m.Values.Select(v => (JsonNode?)v).ToArray()) }
        : new JsonObject { ["status"] = m.Status };
}
