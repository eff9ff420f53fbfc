using SysProcess = System.Diagnostics.Process;
using ProcessStartInfo = System.Diagnostics.ProcessStartInfo;
using System.Globalization;

namespace NativeIpc.Chaos;

/// <summary>One participant in its own pid namespace (<c>unshare --pid --fork --mount-proc</c>, root only) holds an
/// <see cref="IpcLock"/>, puts items on a queue and owns a segment. While it lives, a waiter here must not take over
/// the lock nor see it dead; its items arrive whole. After its SIGKILL it is seen dead within moments, the next
/// acquire here gets <see cref="IpcAbandonedLockException"/>, and its segment is removed (it was pid 1 of its
/// namespace, so its crash tracker died with it).</summary>
internal sealed class PidNamespaceCase
{
    private const string Where = "pid-namespace";
    private const int Items = 100;

    public void Run(ChaosRun run)
    {
        var tally = run.Tally;
        if (Environment.UserName != "root" && !IsRoot())
        {
            tally.Note("pid-namespace case skipped: not root (unshare --pid needs it)");
            return;
        }
        using var lk = new IpcLock();
        using var q = new IpcQueue<byte[]>(64 * 1024);
        var bytes = new MemoryStream();
        using (var w = new BinaryWriter(bytes)) ((ITransferable)lk).WriteTransfer(w);

        var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])["--pid", "--fork", "--mount-proc", "--kill-child", .. SelfCommand(), "--role", "ns-participant", Convert.ToBase64String(bytes.ToArray()), q.Name])
            psi.ArgumentList.Add(a);
        SysProcess app;
        try { app = SysProcess.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { tally.Note($"pid-namespace case skipped: cannot run unshare ({e.Message})"); return; }
        var stderr = app.StandardError.ReadToEndAsync();
        try
        {
            string? line = ReadLine(app);
            if (line is null || !line.StartsWith("owner ", StringComparison.Ordinal))
            {
                string err = stderr.Wait(Limits.Moments) ? stderr.Result : "";
                if (err.Contains("unshare failed", StringComparison.Ordinal) || err.Contains("Operation not permitted", StringComparison.Ordinal))
                    tally.Note($"pid-namespace case skipped: {err.Trim()}");
                else tally.Violation(Where, $"the participant did not start: said '{line}', stderr: {err.Trim()}");
                return;
            }
            int owner = int.Parse(line["owner ".Length..], CultureInfo.InvariantCulture);
            run.Owners.Add(owner);
            if (ReadLine(app) is var held && held != "held")
            {
                tally.Violation(Where, $"the participant did not take the lock and put its items: said '{held}', stderr: {(stderr.Wait(Limits.Moments) ? stderr.Result.Trim() : "")}");
                return;
            }

            try
            {
                if (lk.TryAcquire(TimeSpan.FromMilliseconds(500))) { tally.Violation(Where, "took a lock a live process in another pid namespace holds"); lk.Release(); }
            }
            catch (IpcAbandonedLockException) { tally.Violation(Where, "declared a live lock holder in another pid namespace dead"); lk.Release(); }
            if (!ProcessLiveness.IsAlive(owner)) tally.Violation(Where, $"live owner {owner} in another pid namespace seen dead");
            for (int i = 0; i < Items; i++)
            {
                if (!q.TryGet(out var item, Limits.ChildWait)) { tally.Hang(Where, $"item {i} of {Items} did not arrive"); break; }
                if (!ChaosItem.TryRead(item, out int inc, out long seq) || inc != 0 || seq != i) tally.Violation(Where, $"item {i} torn or out of order");
            }
            tally.AddItems(Items);

            app.Kill(entireProcessTree: true);
            tally.Kill();
            if (!app.WaitForExit(Limits.Join)) { tally.Hang(Where, "unshare did not exit after SIGKILL"); return; }
            var deadline = DateTime.UtcNow + Limits.Moments;
            while (ProcessLiveness.IsAlive(owner) && DateTime.UtcNow < deadline) Thread.Sleep(20);
            if (ProcessLiveness.IsAlive(owner)) tally.Violation(Where, $"owner {owner} still seen alive {Limits.Moments.TotalSeconds} s after its SIGKILL");
            try
            {
                if (lk.TryAcquire(Limits.Moments)) { tally.Violation(Where, "a dead holder's lock was handed over without IpcAbandonedLockException"); lk.Release(); }
                else tally.Violation(Where, $"the lock of a dead holder in another pid namespace was not taken over in {Limits.Moments.TotalSeconds} s");
            }
            catch (IpcAbandonedLockException) { lk.Release(); }
            deadline = DateTime.UtcNow + Limits.Moments;
            while (ShmLeaks.EntriesOf(owner).Any() && DateTime.UtcNow < deadline) Thread.Sleep(50);
            foreach (string name in ShmLeaks.EntriesOf(owner))
                tally.LeakedEntry(Where, name, $"of the killed participant (pid 1 of its namespace) not removed within {Limits.Moments.TotalSeconds} s");
        }
        finally
        {
            if (!app.HasExited) { app.Kill(entireProcessTree: true); app.WaitForExit(Limits.Join); }
            app.Dispose();
        }
    }

    /// <summary>The participant's side (<c>--role ns-participant &lt;lock&gt; &lt;queue&gt;</c>): says its owner id, takes the
    /// lock, puts its items, says "held", then waits to be killed.</summary>
    public static int RunRole(string[] args)
    {
        if (args.Length != 3 || args[0] != "ns-participant") { Console.Error.WriteLine("usage: --role ns-participant <lock> <queue>"); return 2; }
        using var reader = new BinaryReader(new MemoryStream(Convert.FromBase64String(args[1])));
        using var lk = IpcLock.ReadTransfer(reader);
        using var q = IpcQueue<byte[]>.Attach(args[2]);
        using var own = SharedMemory.Create(4096); // a segment of its own, for the tracker check
        Console.WriteLine($"owner {ProcessLiveness.Self}");
        if (!lk.TryAcquire(Limits.ChildWait)) return ExitCodes.Hang;
        for (int i = 0; i < Items; i++) q.Put(ChaosItem.Make(0, i, ChaosItem.PayloadLength(0, i, 0)), Limits.ChildWait);
        Console.WriteLine("held");
        Thread.Sleep(Limits.Join);
        return 0;
    }

    /// <summary>How to start this program again: its apphost, or <c>dotnet</c> with its dll.</summary>
    internal static string[] SelfCommand()
    {
        string exe = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(exe) == "dotnet" ? [exe, typeof(PidNamespaceCase).Assembly.Location] : [exe];
    }

    internal static bool IsRoot()
    {
        try { return File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0"); }
        catch (IOException) { return false; }
    }

    private static string? ReadLine(SysProcess app)
    {
        try { return app.StandardOutput.ReadLineAsync().WaitAsync(Limits.Join).GetAwaiter().GetResult(); }
        catch (TimeoutException) { return null; }
    }
}
