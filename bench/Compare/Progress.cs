namespace NativeIpc.Compare;

/// <summary>One progress line on stderr, rewritten in place on a terminal, one line per step when redirected.</summary>
internal sealed class Progress
{
    private readonly bool _inPlace = !Console.IsErrorRedirected;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private int _lastLength;

    public void Show(string what)
    {
        string line = $"{_clock.Elapsed.TotalSeconds,5:0.0}s  {what}";
        lock (this)
        {
            if (!_inPlace) { Console.Error.WriteLine(line); return; }
            Console.Error.Write("\r" + line.PadRight(_lastLength));
            _lastLength = line.Length;
        }
    }

    public void Done()
    {
        if (_inPlace) Console.Error.WriteLine();
    }
}
