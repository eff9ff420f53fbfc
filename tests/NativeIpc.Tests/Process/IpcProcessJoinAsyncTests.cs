using NUnit.Framework;

namespace NativeIpc.Tests.Process;

/// <summary><see cref="IpcProcess.JoinAsync"/> and <see cref="IpcProcess.Join"/> with a cancellation token.</summary>
[TestFixture]
public class IpcProcessJoinAsyncTests : ChildProcessFixture
{
    [Test]
    public async Task JoinAsync_CompletesWhenTheChildExits()
    {
        var p = Track(IpcProcess.Create(ChildTargets.Sleep, 200)).Start();
        await p.JoinAsync().WaitAsync(ChildTimeout);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void JoinWithToken_Cancelled_ThrowsAndLeavesTheChildRunning_ThenJoins()
    {
        var p = Track(IpcProcess.Create(ChildTargets.Sleep, 2000)).Start();
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
            Assert.That(() => p.Join(null, cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(p.IsAlive, Is.True);
        using (var cts = new CancellationTokenSource())
            Assert.That(p.Join(ChildTimeout, cts.Token), Is.True);
        Assert.That(p.ExitCode, Is.EqualTo(0));
    }
}
