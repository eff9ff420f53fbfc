namespace NativeIpc.Chaos;

/// <summary>The run's figures. Every hang, leak and violation is printed when found (the first ones in full), so a
/// failing run says what broke, not only how often.</summary>
internal sealed class Tally
{
    private const int MaxPrinted = 60;
    private long _kills, _items, _hangs, _leaks, _violations, _printed;
    private readonly object _print = new();

    public long Kills => Interlocked.Read(ref _kills);
    public long Items => Interlocked.Read(ref _items);
    public long Hangs => Interlocked.Read(ref _hangs);
    public long Leaks => Interlocked.Read(ref _leaks);
    public long Violations => Interlocked.Read(ref _violations);

    private readonly Dictionary<string, Figures> _per = [];

    /// <summary>Per-scenario figures (counted with Interlocked: lanes share them).</summary>
    public sealed class Figures { public long Episodes, Kills, Items; }

    public Figures For(string scenario)
    {
        lock (_per) return _per.TryGetValue(scenario, out var f) ? f : _per[scenario] = new Figures();
    }

    /// <summary>One line per scenario: episodes, kills, items.</summary>
    public IEnumerable<string> PerScenario()
    {
        lock (_per) return _per.OrderBy(kv => kv.Key).Select(kv => $"chaos:   {kv.Key,-16} episodes={kv.Value.Episodes} kills={kv.Value.Kills} items={kv.Value.Items}").ToArray();
    }

    public void Kill() => Interlocked.Increment(ref _kills);

    public void AddItems(long n) => Interlocked.Add(ref _items, n);

    public void Hang(string where, string what) { Interlocked.Increment(ref _hangs); Print("HANG", where, what); }

    private readonly HashSet<string> _leaked = [];

    public void Leak(string where, string what) { Interlocked.Increment(ref _leaks); Print("LEAK", where, what); }

    /// <summary>Counts a leaked /dev/shm entry once, however many checks see it.</summary>
    public void LeakedEntry(string where, string name, string what)
    {
        lock (_leaked) if (!_leaked.Add(name)) return;
        Leak(where, $"/dev/shm/{name} {what}");
    }

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
