using SysProcess = System.Diagnostics.Process;
using ProcessStartInfo = System.Diagnostics.ProcessStartInfo;
using System.Globalization;

namespace NativeIpc.Chaos;

/// <summary>Root only: a pipe writer and a lock holder are SIGKILLed and their pids handed to new processes
/// (<c>/proc/sys/kernel/ns_last_pid</c> = pid - 1, then spawn). The survivors must still treat the dead as dead: the
/// pipe reader gets end-of-stream, the lock waiter gets <see cref="IpcAbandonedLockException"/>.</summary>
internal sealed class PidReuseCase
{
    private const string Where = "pid-reuse";
    private const string LastPid = "/proc/sys/kernel/ns_last_pid";

    public void Run(ChaosRun run)
    {
        if (!PidNamespaceCase.IsRoot()) { run.Tally.Note("pid-reuse case skipped: not root (ns_last_pid needs it)"); return; }
        using var e = new Episode(Where, run, run.Options.Seed);
        Pipe(e);
        Lock(e);
    }

    private static void Pipe(Episode e)
    {
        var (reader, writer) = Multiprocessing.Pipe(duplex: false);
        using var _ = reader;
        IpcProcess child;
        using (writer) child = e.Start(SendOneAndWait, writer);
        if (!Received(e, reader)) return;
        int pid = child.Pid!.Value;
        e.Kill(child);
        using var squatter = Recycle(e, pid);
        if (squatter is null) return;
        try
        {
            reader.RecvBytes(Limits.Moments);
            e.Violation("a second message arrived from a dead writer");
        }
        catch (IpcPipeClosedException) { e.Items(1); }
        catch (TimeoutException) { e.Violation($"no end-of-stream within {Limits.Moments.TotalSeconds} s: the recycled pid {pid} kept the dead writer's end alive"); }
        finally { Stop(squatter); }
    }

    private static void Lock(Episode e)
    {
        using var lk = new IpcLock();
        var child = e.Start(HoldLock, lk);
        var deadline = DateTime.UtcNow + Limits.Join;
        while (!lk.IsLocked && child.IsAlive && DateTime.UtcNow < deadline) Thread.Sleep(10);
        if (!lk.IsLocked) { e.Hang("the holder did not take the lock"); return; }
        int pid = child.Pid!.Value;
        e.Kill(child);
        using var squatter = Recycle(e, pid);
        if (squatter is null) return;
        try
        {
            if (lk.TryAcquire(Limits.Moments)) { e.Violation("a dead holder's lock was handed over without IpcAbandonedLockException"); lk.Release(); }
            else e.Violation($"the lock of a dead holder whose pid {pid} was recycled was not taken over in {Limits.Moments.TotalSeconds} s");
        }
        catch (IpcAbandonedLockException) { lk.Release(); e.Items(1); }
        finally { Stop(squatter); }
    }

    private static bool Received(Episode e, Connection reader)
    {
        try
        {
            if (reader.RecvBytes(Limits.ChildWait) is [1]) return true;
            e.Violation("the writer's message arrived changed");
        }
        catch (Exception ex) when (ex is TimeoutException or IpcPipeClosedException) { e.Hang($"the writer's message did not arrive: {ex.Message}"); }
        return false;
    }

    /// <summary>Starts a process that gets <paramref name="pid"/>, or says why it could not (other processes on the
    /// machine may take the pid first).</summary>
    private static SysProcess? Recycle(Episode e, int pid)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try { File.WriteAllText(LastPid, (pid - 1).ToString(CultureInfo.InvariantCulture)); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                e.Tally.Note($"pid-reuse case skipped: cannot write {LastPid} ({ex.Message})");
                return null;
            }
            var p = SysProcess.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
            if (p.Id == pid) return p;
            Stop(p);
            p.Dispose();
        }
        e.Tally.Note($"pid-reuse case: pid {pid} could not be recycled (other processes took it)");
        return null;
    }

    private static void Stop(SysProcess p)
    {
        try { if (!p.HasExited) { p.Kill(); p.WaitForExit(Limits.Join); } } catch (InvalidOperationException) { }
    }

    public static void SendOneAndWait(Connection writer)
    {
        writer.SendBytes([1]);
        Thread.Sleep(Limits.Join);
    }

    public static void HoldLock(IpcLock lk)
    {
        lk.Acquire(Limits.ChildWait);
        Thread.Sleep(Limits.Join);
    }
}
