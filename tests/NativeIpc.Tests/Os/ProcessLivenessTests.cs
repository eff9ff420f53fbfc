using SysProcess = System.Diagnostics.Process;
using ProcessStartInfo = System.Diagnostics.ProcessStartInfo;
using System.Globalization;
using NUnit.Framework;

namespace NativeIpc.Tests.Os;

/// <summary>The liveness building block: owner ids that mean "this process" across pid reuse and pid namespaces.</summary>
public class ProcessLivenessTests : ChildProcessFixture
{
    private static readonly string LivenessDir = "/dev/shm/nativeipc-liveness";

    [Test]
    public void Self_IsStableAndAlive()
    {
        int self = ProcessLiveness.Self;
        Assert.That(self, Is.InRange(1, ProcessLiveness.OwnerMask));
        Assert.That(ProcessLiveness.Self, Is.EqualTo(self));
        Assert.That(ProcessLiveness.IsAlive(self), Is.True);
        Assert.That(ProcessLiveness.IsAlive(0), Is.False);
    }

    [Test]
    public void IsAlive_Child_TrueWhileRunning_FalseAfterKill_RecordRemovedAfterReap()
    {
        var child = Track(IpcProcess.Start(LivenessTargets.Sleep, 30_000));
        int owner = child.Owner;
        Assert.That(owner, Is.Not.Zero.And.Not.EqualTo(ProcessLiveness.Self));
        Assert.That(ProcessLiveness.IsAlive(owner), Is.True, "alive from spawn, before the child's runtime is up");
        // Linux keeps a record file per owner; Windows a named event, which dies with the process (nothing to remove).
        bool Recorded() => !OperatingSystem.IsLinux() || File.Exists(Path.Combine(LivenessDir, owner.ToString(CultureInfo.InvariantCulture)));
        Assert.That(Eventually(Recorded, ChildTimeout), Is.True);
        child.Kill();
        JoinOrFail(child);
        Assert.That(ProcessLiveness.IsAlive(owner), Is.False);
        if (OperatingSystem.IsLinux())
            Assert.That(Eventually(() => !Recorded(), TimeSpan.FromSeconds(5)), Is.True, "the parent removes a reaped child's liveness record");
    }

    [Test]
    public void IsAlive_ChildIdentity_NotTheChildsPid()
    {
        // A stored owner is never a pid: a recycled pid cannot stand for it.
        var child = Track(IpcProcess.Start(LivenessTargets.Sleep, 30_000));
        Assert.That(child.Owner, Is.Not.EqualTo(child.Pid));
    }

    [Test, Platform("Linux", Reason = "pid namespaces (unshare)")]
    public void IsAlive_OwnerInAnotherPidNamespace_IsSeenAliveThenDead()
    {
        var app = StartInPidNamespace("liveness-self");
        string line = ReadLine(app);
        Assert.That(line, Does.StartWith("owner "));
        int owner = int.Parse(line["owner ".Length..], CultureInfo.InvariantCulture);
        Assert.That(ProcessLiveness.IsAlive(owner), Is.True, "a live process in another pid namespace");
        app.Kill(entireProcessTree: true);
        Assert.That(app.WaitForExit(30_000), Is.True);
        Assert.That(Eventually(() => !ProcessLiveness.IsAlive(owner), TimeSpan.FromSeconds(5)), Is.True);
    }

    [Test, Platform("Linux", Reason = "pid namespaces (unshare)")]
    public void IsAlive_ProbedFromAnotherPidNamespace_SeesThisProcessAlive()
    {
        var app = StartInPidNamespace("liveness-probe", ProcessLiveness.Self.ToString(CultureInfo.InvariantCulture));
        Assert.That(ReadLine(app), Is.EqualTo("alive True"), "pid namespaces must not make a live owner look dead");
        Assert.That(app.WaitForExit(30_000), Is.True);
    }

    [Test]
    public void Lock_HeldHere_IsNotTakenOverByWaiterInAnotherPidNamespace()
    {
        using var lk = new IpcLock();
        using var held = lk.Acquire(ChildTimeout);
        var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms)) ((ITransferable)lk).WriteTransfer(w);
        var app = StartInPidNamespace("lock-try", Convert.ToBase64String(ms.ToArray()), "500");
        Assert.That(ReadLine(app), Is.EqualTo("timeout"), "a waiter in another pid namespace took over a live holder's lock");
        Assert.That(app.WaitForExit(30_000), Is.True);
    }

    [Test, Platform("Linux", Reason = "recycles a pid through /proc/sys/kernel/ns_last_pid (Windows owner ids are named events, never pids)")]
    public void Pipe_WriterKilledAndItsPidRecycled_ReaderGetsEndOfStream()
    {
        var (reader, writer) = Multiprocessing.Pipe(duplex: false);
        using var _r = reader;
        var child = Track(IpcProcess.Start(LivenessTargets.HoldAndSleep, writer, 30_000));
        writer.Dispose(); // the child holds the only writing end now
        int pid = child.Pid!.Value;
        Assert.That(reader.RecvBytes(ChildTimeout), Is.EqualTo(new byte[] { 1 }));
        child.Kill();
        JoinOrFail(child);
        using var squatter = RecyclePid(pid);
        Assert.Throws<IpcPipeClosedException>(() => reader.RecvBytes(TimeSpan.FromSeconds(10)),
            "a recycled pid kept the dead writer's hold alive");
    }

    [Test, Platform("Linux", Reason = "recycles a pid through /proc/sys/kernel/ns_last_pid (Windows owner ids are named events, never pids)")]
    public void Lock_HolderKilledAndItsPidRecycled_NextAcquireIsAbandoned()
    {
        using var lk = new IpcLock();
        var child = Track(IpcProcess.Start(LivenessTargets.AcquireAndSleep, lk, 30_000));
        Assert.That(Eventually(() => lk.IsLocked, ChildTimeout), Is.True);
        int pid = child.Pid!.Value;
        child.Kill();
        JoinOrFail(child);
        using var squatter = RecyclePid(pid);
        Assert.Throws<IpcAbandonedLockException>(() => lk.Acquire(TimeSpan.FromSeconds(10)));
        lk.Release();
    }

    [Test, Platform("Linux", Reason = "pid namespaces (unshare) and /dev/shm")]
    public void Segment_CreatorIsPidOneOfItsNamespaceAndKilled_RemovedOnceSeenDead()
    {
        using var ours = SharedMemory.Create(16); // a process that uses segments follows deaths it sees
        // SIGKILL of a namespace's pid 1 kills every process in it, the creator's crash tracker included: only a
        // sweep by another process can clean up, and it must see the creator as dead (a pid of 1 means nothing here).
        var app = StartInPidNamespace("shared-array-sleep");
        string line = ReadLine(app);
        Assert.That(line, Does.StartWith("name "));
        string name = line["name ".Length..];
        Assert.That(File.Exists("/dev/shm/" + name), Is.True);
        app.Kill(entireProcessTree: true);
        Assert.That(app.WaitForExit(30_000), Is.True);
        Assert.That(SegmentNames.CreatorOwner(name) is int owner && Eventually(() => !ProcessLiveness.IsAlive(owner), TimeSpan.FromSeconds(5)), Is.True);
        Assert.That(Eventually(() => !File.Exists("/dev/shm/" + name), TimeSpan.FromSeconds(5)), Is.True,
            "a dead namespace's segment was left behind");
        Assert.That(Eventually(() => !Directory.EnumerateDirectories("/dev/shm", $"nipc-tracker-{SegmentNames.CreatorOwner(name)}-*").Any(), TimeSpan.FromSeconds(5)),
            Is.True, "the dead creator's tracker state was left behind");
    }

    [Test, Platform("Linux", Reason = "liveness records are files only on Linux")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void LastRecordRemoved_BySweepOrForget_LeavesNoDirectory()
    {
        // An isolated directory: a process that never claims an owner here (only reserves for "children") is
        // the last one out whenever it removes the last record, whichever way it removes it.
        string dir = "/dev/shm/" + TestPaths.ShmName("liveness");
        try
        {
            var liveness = new NativeIpc.Os.Unix.OfdLockLiveness(dir);
            Assert.That(Directory.Exists(dir), Is.False, "asking about liveness must not create the directory");
            Assert.That(liveness.IsAlive(12345), Is.False);
            Assert.That(Directory.Exists(dir), Is.False);

            var swept = liveness.Reserve();
            swept.Dispose(); // its lock is gone: a dead owner, as after a SIGKILL
            Assert.That(liveness.IsAlive(swept.Owner), Is.False);
            Assert.That(Directory.GetFileSystemEntries(dir), Has.Length.EqualTo(1), "a dead owner's record stays until swept");
            liveness.SweepDead();
            Assert.That(Directory.Exists(dir), Is.False, "the sweep removed the last record and left an empty directory");

            var reaped = liveness.Reserve();
            var alive = liveness.Reserve();
            reaped.Dispose();
            liveness.Forget(reaped.Owner);
            Assert.That(Directory.Exists(dir), Is.True, "a live owner's record keeps the directory");
            Assert.That(liveness.IsAlive(alive.Owner), Is.True);
            alive.Dispose();
            liveness.Forget(alive.Owner);
            Assert.That(Directory.Exists(dir), Is.False, "forgetting the last record left an empty directory");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Starts a process that gets <paramref name="pid"/> (root: via ns_last_pid), or ignores the test.</summary>
    private SysProcess RecyclePid(int pid)
    {
        const string lastPid = "/proc/sys/kernel/ns_last_pid";
        for (int attempt = 0; attempt < 20; attempt++)
        {
            try { File.WriteAllText(lastPid, (pid - 1).ToString(CultureInfo.InvariantCulture)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { Assert.Ignore($"cannot recycle a pid here ({e.Message})"); }
            var p = Track(SysProcess.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!);
            if (p.Id == pid) return p;
            p.Kill();
            p.WaitForExit(10_000);
        }
        Assert.Ignore($"pid {pid} could not be recycled (other processes took it)");
        return null!;
    }

    private SysProcess StartInPidNamespace(params string[] args)
    {
        var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--pid", "--fork", "--mount-proc", "--kill-child", TestPaths.TestApp }.Concat(args)) psi.ArgumentList.Add(a);
        SysProcess app;
        try { app = Track(SysProcess.Start(psi)!); }
        catch (System.ComponentModel.Win32Exception e) { Assert.Ignore($"unshare is not available: {e.Message}"); throw; }
        return app;
    }

    private static string ReadLine(SysProcess app)
    {
        var line = app.StandardOutput.ReadLineAsync().WaitAsync(ChildTimeout).GetAwaiter().GetResult();
        if (line is null)
        {
            string err = app.StandardError.ReadToEnd();
            if (err.Contains("unshare failed", StringComparison.Ordinal) || err.Contains("Operation not permitted", StringComparison.Ordinal))
                Assert.Ignore("no permission to make a pid namespace here: " + err.Trim());
            Assert.Fail("the program said nothing; stderr: " + err);
        }
        return line!;
    }
}

internal static class LivenessTargets
{
    public static void Sleep(int ms) => Thread.Sleep(ms);

    public static void HoldAndSleep(Connection writer, int ms)
    {
        writer.SendBytes([1]);
        Thread.Sleep(ms);
    }

    public static void AcquireAndSleep(IpcLock lk, int ms)
    {
        lk.Acquire();
        Thread.Sleep(ms);
    }
}
