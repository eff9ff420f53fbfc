namespace NativeIpc.Chaos;

/// <summary>The run's figures. Every hang, leak and violation is printed when found (the first ones in full), so a
/// failing run says what broke, not only how often.</summary>
internal sealed class Tally
{
    private const int MaxPrinted = 60;
    private long _kills, _items, _hangs, _leaks, _violations, _printed, _episodes;
    private readonly object _print = new();

    public long Kills => Interlocked.Read(ref _kills);
    public long Items => Interlocked.Read(ref _items);
    public long Hangs => Interlocked.Read(ref _hangs);
    public long Leaks => Interlocked.Read(ref _leaks);
    public long Violations => Interlocked.Read(ref _violations);
    public long Episodes => Interlocked.Read(ref _episodes);

    public void Kill() => Interlocked.Increment(ref _kills);

    public void AddItems(long n) => Interlocked.Add(ref _items, n);

    public void Episode() => Interlocked.Increment(ref _episodes);

    public void Hang(string where, string what) { Interlocked.Increment(ref _hangs); Print("HANG", where, what); }

    public void Leak(string where, string what) { Interlocked.Increment(ref _leaks); Print("LEAK", where, what); }

    public void Violation(string where, string what) { Interlocked.Increment(ref _violations); Print("VIOLATION", where, what); }

    public void Note(string what)
    {
        lock (_print) Console.WriteLine($"chaos: note: {what}");
    }

    private void Print(string kind, string where, string what)
    {
        if (Interlocked.Increment(ref _printed) > MaxPrinted) return;
        lock (_print) Console.WriteLine($"chaos: {kind} [{where}] {what}");
    }

    public string Summary(double seconds)
        => $"chaos: kills={Kills} items={Items} hangs={Hangs} leaks={Leaks} violations={Violations} seconds={seconds:F0}";
}
