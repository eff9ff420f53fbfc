namespace NativeIpc.Compare.Core;

/// <summary>Warm-up, then the repeated timed runs, as every system does them.</summary>
internal static class Sampler
{
    /// <summary>Calls <paramref name="oneRun"/> once to warm up (JIT, page faults, caches), then
    /// <see cref="Settings.Repeats"/> times; each call does one whole timed run and returns its figure.</summary>
    public static Measurement Repeat(Settings settings, Func<double> oneRun)
    {
        oneRun();
        var values = new double[settings.Repeats];
        for (int i = 0; i < values.Length; i++) values[i] = oneRun();
        return Measurement.Of(values);
    }

    /// <summary>Seconds between two <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> values.</summary>
    public static double Seconds(long from, long to) => (to - from) / (double)System.Diagnostics.Stopwatch.Frequency;
}
