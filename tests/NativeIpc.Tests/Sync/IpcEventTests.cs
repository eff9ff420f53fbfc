using System.Diagnostics;
using NUnit.Framework;

namespace NativeIpc.Tests.Sync;

[TestFixture]
public class IpcEventTests : ChildProcessFixture
{
    [Test]
    public void Wait_SetByChild_WakesParent()
    {
        using var ev = new IpcEvent();
        var p = Track(IpcProcess.Start(SyncChildTargets.SetEventAfter, ev, 200));
        Assert.That(ev.Wait(ChildTimeout), Is.True);
        Assert.That(ev.IsSet, Is.True);
        JoinOrFail(p);
    }

    [Test]
    public void Wait_PingPongWithChild_EveryRoundCompletes()
    {
        using var ping = new IpcEvent();
        using var pong = new IpcEvent();
        const int Rounds = 200;
        var p = Track(IpcProcess.Start(SyncChildTargets.PingPong, ping, pong, Rounds));
        for (int i = 0; i < Rounds; i++)
        {
            ping.Set();
            Assert.That(pong.Wait(ChildTimeout), Is.True, $"round {i}");
            pong.Clear();
        }
        JoinOrFail(p);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void Wait_WouldBeSetterKilled_TimesOutAsInPython()
    {
        using var ev = new IpcEvent();
        var p = Track(IpcProcess.Start(SyncChildTargets.SetEventAfter, ev, 60_000));
        p.Kill();
        JoinOrFail(p);
        Assert.That(ev.Wait(TimeSpan.FromMilliseconds(200)), Is.False);
    }

    [Test]
    public void Wait_NotSet_ReturnsFalseAfterTimeout()
    {
        using var ev = new IpcEvent();
        var sw = Stopwatch.StartNew();
        Assert.That(ev.Wait(TimeSpan.FromMilliseconds(120)), Is.False);
        Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(110)));
        Assert.That(ev.Wait(TimeSpan.Zero), Is.False);
    }

    [Test]
    public void SetClear_ToggleIsSet()
    {
        using var ev = new IpcEvent();
        ev.Set();
        ev.Set();
        Assert.That(ev.Wait(TimeSpan.Zero), Is.True);
        ev.Clear();
        Assert.That(ev.IsSet, Is.False);
    }

    [Test]
    public void Misuse_NegativeTimeoutOrDisposed_Throws()
    {
        var ev = new IpcEvent();
        Assert.Throws<ArgumentOutOfRangeException>(() => ev.Wait(TimeSpan.FromMilliseconds(-7)));
        ev.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ev.Set());
        Assert.Throws<ObjectDisposedException>(() => ev.Wait(TimeSpan.Zero));
    }
}
