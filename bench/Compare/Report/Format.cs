using System.Globalization;
using NativeIpc.Compare.Core;

namespace NativeIpc.Compare.Report;

/// <summary>Numbers as people read them: three significant digits, k/M suffixes.</summary>
internal static class Format
{
    public static string Number(double v)
    {
        if (double.IsNaN(v)) return "";
        double a = Math.Abs(v);
        return a >= 1e6 ? Sig(v / 1e6) + "M" : a >= 1e4 ? Sig(v / 1e3) + "k" : Sig(v);
    }

    public static string Cell(Measurement m)
        => m.HasValue ? $"{Number(m.Median)} ({Number(m.Min)}–{Number(m.Max)})" : m.Status!;

    public static string Ratio(double? r) => r is { } x ? x.ToString(x >= 10 ? "0" : "0.00", CultureInfo.InvariantCulture) + "×" : "";

    private static string Sig(double v)
    {
        double a = Math.Abs(v);
        string f = a >= 100 ? "0" : a >= 10 ? "0.0" : a >= 1 ? "0.00" : "0.000";
        return v.ToString(f, CultureInfo.InvariantCulture);
    }
}
