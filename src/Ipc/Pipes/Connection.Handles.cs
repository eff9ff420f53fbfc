using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using NativeIpc.Platform.Unix;

namespace NativeIpc;

// Passing an OS handle (a file descriptor) to the process at the other end: Python's multiprocessing.reduction
// send_handle / recv_handle. The ring carries only a rendezvous name; the descriptor itself goes through the kernel
// (SCM_RIGHTS on a one-shot Unix-domain socket), so it is a real duplicate in the receiver, whatever its number.
public sealed partial class Connection
{
    /// <summary>Tag of a handle message (the socket name to connect to); like <see cref="BytesTag"/>, no type's tag.</summary>
    private const uint HandleTag = 1;

    /// <summary>Sends a duplicate of <paramref name="handle"/> (a file descriptor) to the process that receives the next
    /// message at the other end, which gets it from <see cref="RecvHandle"/>. The caller keeps its own handle (close it
    /// when done); the duplicate is offered until a receiver takes it, no process holds the other end any more, or this
    /// process exits.</summary>
    /// <param name="handle">An open file descriptor: a file, pipe, socket, ...</param>
    /// <param name="timeout">How long to wait for room in the pipe for the message; null: as long as a reader exists.</param>
    /// <exception cref="PlatformNotSupportedException">Not on Linux (see remarks).</exception>
    /// <exception cref="IpcPipeClosedException">No process holds the other end.</exception>
    /// <exception cref="ObjectDisposedException">This end is closed.</exception>
    /// <remarks>Python: multiprocessing.reduction.send_handle(conn, handle, destination_pid) — no destination pid
    /// here: whoever receives the message takes the handle. Linux only: the descriptor travels by SCM_RIGHTS through an
    /// abstract-namespace socket that only a process of the same user may connect to (the trust boundary of the pipe's
    /// own segment). Windows (DuplicateHandle) is not built yet.</remarks>
    public void SendHandle(SafeHandle handle, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        bool added = false;
        handle.DangerousAddRef(ref added);
        try { SendHandle(handle.DangerousGetHandle(), timeout); }
        finally { if (added) handle.DangerousRelease(); }
    }

    /// <summary>Sends a duplicate of the raw descriptor <paramref name="handle"/>; see <see cref="SendHandle(SafeHandle, TimeSpan?)"/>.</summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <remarks>Python: multiprocessing.reduction.send_handle</remarks>
    public void SendHandle(nint handle, TimeSpan? timeout = null)
    {
        if (!OperatingSystem.IsLinux()) throw HandlesUnsupported();
        SendDescriptor((int)handle, timeout);
    }

    /// <summary>Receives a handle sent with <see cref="SendHandle(SafeHandle, TimeSpan?)"/>: a new descriptor of this
    /// process, owned by the returned object.</summary>
    /// <param name="timeout">How long to wait for the message (and then for the descriptor); null: no limit.</param>
    /// <exception cref="IpcSerializationException">The next message is not a handle (it is kept for a receive of the right kind).</exception>
    /// <exception cref="IOException">The sender no longer offers it (every holder of its end closed it, or it exited).</exception>
    /// <exception cref="IpcPipeClosedException">The other end is closed and everything sent was read.</exception>
    /// <exception cref="TimeoutException">Nothing arrived in time.</exception>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <remarks>Python: multiprocessing.reduction.recv_handle(conn)</remarks>
    public SafeFileHandle RecvHandle(TimeSpan? timeout = null)
    {
        if (!OperatingSystem.IsLinux()) throw HandlesUnsupported();
        var deadline = Deadline.From(timeout);
        var reader = new ValueReader<string>(HandleTag, IpcSerializers.For<string>());
        if (!Receive(ref reader, WaitLimit.Until(deadline))) throw new TimeoutException($"No message arrived within {timeout}.");
        if (reader.Failure is { } failure) throw new IpcSerializationException($"A handle message could not be read: {failure.Message}. It was dropped.", failure);
        if (reader.Kept is { } kept)
        {
            _pending = kept;
            throw new IpcSerializationException("The next message is not a handle (it was sent with Send or SendBytes). It is kept.");
        }
        return ReceiveDescriptor(reader.Value, deadline);
    }

    [SupportedOSPlatform("linux")]
    private static SafeFileHandle ReceiveDescriptor(string name, Deadline deadline)
    {
        SafeFd fd;
        try { fd = FdPassing.Receive(name, deadline.RemainingMilliseconds); }
        catch (InvalidDataException e) { throw new IpcSerializationException("The handle message came without a descriptor.", e); }
        var handle = new SafeFileHandle(fd.Fd, ownsHandle: true);
        fd.SetHandleAsInvalid(); // the SafeFileHandle owns it now
        return handle;
    }

    [SupportedOSPlatform("linux")]
    private void SendDescriptor(int fd, TimeSpan? timeout)
    {
        ThrowIfClosed();
        _ = SendRing();
        var copy = FdPassing.Duplicate(fd);
        SafeFd? listener = null;
        try
        {
            listener = FdPassing.Listen(out string name);
            SendTagged(HandleTag, name, timeout);
        }
        catch
        {
            listener?.Dispose();
            copy.Dispose();
            throw;
        }
        // Offered from a background thread, so a sender that then waits on the receiver (or receives in the same
        // thread) does not deadlock; it ends when taken, when nobody holds the other end, or with the process.
        new Thread(() => Offer(listener, copy)) { IsBackground = true, Name = "Connection.SendHandle" }.Start();
    }

    [SupportedOSPlatform("linux")]
    private void Offer(SafeFd listener, SafeFd copy)
    {
        using (listener)
        using (copy)
        {
            try
            {
                while (!FdPassing.ServeOnce(listener, copy, WaitTuning.LivenessSliceMs))
                {
                    if (!_segment.TryEnter()) continue; // unmapped here: offered until taken or this process exits
                    try
                    {
                        if (!HasHolder(1 - _end, checkLiveness: true)) return;
                    }
                    finally { _segment.Exit(); }
                }
            }
            catch (Exception e) when (e is PosixException or IOException)
            {
                // Nothing to report to: the sender returned long ago. The receiver sees the sender as gone.
            }
        }
    }

    private static PlatformNotSupportedException HandlesUnsupported()
        => new("Passing OS handles over a Connection is built on Linux (SCM_RIGHTS) only; Windows (DuplicateHandle) is not built yet.");
}
