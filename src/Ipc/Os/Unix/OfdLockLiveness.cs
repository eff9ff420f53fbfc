using System.Runtime.Versioning;
using System.Security.Cryptography;
using NativeIpc.Platform.Unix;

namespace NativeIpc.Os.Unix;

/// <summary>Liveness by open-file-description locks (iceoryx2's answer): each process holds a write lock on the file
/// <c>&lt;dir&gt;/&lt;owner id&gt;</c> in a directory on /dev/shm, through a descriptor that only it (and, for a
/// moment at spawn, its parent) has. The kernel drops the lock when the process dies, so "the file is there and
/// locked" means alive in every pid namespace that shares /dev/shm. A file becomes visible under its final name only
/// once locked (created under a temporary name, then linked), so an unlocked final name is a dead owner for good.</summary>
[SupportedOSPlatform("linux")]
internal sealed class OfdLockLiveness : IProcessLiveness
{
    /// <summary>Overrides the directory (tests run isolated ones).</summary>
    public const string DirectoryVariable = "NATIVEIPC_LIVENESS_DIR";

    private const string TempPrefix = ".tmp-";
    private static readonly TimeSpan TempGrace = TimeSpan.FromMinutes(1);

    private readonly string _dir;
    private SafeFd? _own;

    public OfdLockLiveness()
        : this(Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } d ? d
            : Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "nativeipc-liveness"))
    {
    }

    /// <summary>Records in <paramref name="dir"/>. The directory is made by the first record and removed with the
    /// last: a process that only asks <see cref="IsAlive"/> leaves nothing behind (a missing record is a dead owner).</summary>
    internal OfdLockLiveness(string dir) => _dir = dir;

    private void EnsureDirectory()
    {
        if (Directory.Exists(_dir)) return;
        // Sticky and world-writable like /tmp: every user makes their own files, nobody removes another's.
        Directory.CreateDirectory(_dir);
        try { File.SetUnixFileMode(_dir, (UnixFileMode)0b1_111_111_111); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public int Claim(string? inherited)
    {
        if (inherited is not null && TryAdopt(inherited, out int adopted)) return adopted;
        var (owner, fd) = Create();
        _own = fd;
        return owner;
    }

    private bool TryAdopt(string inherited, out int owner)
    {
        owner = 0;
        // Digits without a culture: a child adopts its id before its target, which may need no ICU (DecimalDigits).
        var parts = inherited.Split(',');
        if (parts.Length != 2 || !DecimalDigits.TryParse(parts[0], out owner) || !DecimalDigits.TryParse(parts[1], out int fd)) return false;
        // The variable may have leaked to a grandchild, where that descriptor number is something else (or nothing):
        // adopt only a descriptor of the very file, locked.
        var handle = new SafeFd(fd, ownsHandle: false);
        if (!OfdLock.IsSameFile(handle, PathOf(owner)) || OfdLock.Probe(PathOf(owner)) != OfdLock.State.Locked) return false;
        handle = new SafeFd(fd);
        OfdLock.SetCloseOnExec(handle, true); // grandchildren started by exec must not keep us "alive"
        _own = handle;
        return true;
    }

    public bool IsAlive(int owner)
    {
        if (owner <= 0 || owner > ProcessLiveness.OwnerMask) return false;
        return OfdLock.Probe(PathOf(owner)) is OfdLock.State.Locked or OfdLock.State.Unknown;
    }

    public ReservedOwner Reserve()
    {
        var (owner, fd) = Create();
        return new ReservedOwner(owner, fd);
    }

    public void Forget(int owner)
    {
        string path = PathOf(owner);
        if (OfdLock.Probe(path) != OfdLock.State.Unlocked) return;
        OfdLock.Unlink(path);
        RemoveDirectoryIfEmpty();
    }

    public void SweepDead()
    {
        string[] files;
        try { files = Directory.GetFiles(_dir); }
        catch (IOException) { return; } // DirectoryNotFoundException included: no records, nothing to sweep
        catch (UnauthorizedAccessException) { return; }
        bool removed = false;
        foreach (string path in files)
        {
            string name = Path.GetFileName(path);
            if (name.StartsWith(TempPrefix, StringComparison.Ordinal))
            {
                // A creator between "create" and "link"; or one that died there. Only old, unlocked ones are junk.
                try { if (DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < TempGrace) continue; } catch (IOException) { continue; }
            }
            else if (!DecimalDigits.TryParse(name, out _)) continue;
            if (OfdLock.Probe(path) != OfdLock.State.Unlocked) continue;
            OfdLock.Unlink(path);
            removed = true;
        }
        if (removed) RemoveDirectoryIfEmpty();
    }

    public void RemoveOwn(int owner)
    {
        if (_own is null) return;
        OfdLock.Unlink(PathOf(owner));
        RemoveDirectoryIfEmpty();
    }

    /// <summary>Whoever removes a record tries to remove the directory after it (rmdir fails while any record is
    /// left), so the last removal — a process leaving, a parent forgetting its reaped child, a sweep of the dead —
    /// leaves no empty directory behind. A process creating its record at that moment makes it again (see Create).
    /// Tried only when it looks empty: a failing Directory.Delete throws, and a process's first exception loads the
    /// runtime's message resources, ~10 ms of every child's exit (its parent's record is always there).</summary>
    private void RemoveDirectoryIfEmpty()
    {
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(_dir).GetEnumerator();
            if (!entries.MoveNext()) Directory.Delete(_dir);
        }
        catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private (int Owner, SafeFd Fd) Create()
    {
        while (true)
        {
            int owner = RandomNumberGenerator.GetInt32(1, ProcessLiveness.OwnerMask);
            string temp = Path.Combine(_dir, TempPrefix + DecimalDigits.Format(owner) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
            SafeFd? fd;
            try { fd = OfdLock.CreateLocked(temp); }
            catch (PosixException e) when (e.Errno == Errno.ENOENT) { EnsureDirectory(); continue; } // none yet, or the last one out removed it
            if (fd is null) continue;
            bool linked;
            try { linked = OfdLock.Link(temp, PathOf(owner)); }
            catch { fd.Dispose(); OfdLock.Unlink(temp); throw; }
            OfdLock.Unlink(temp);
            if (linked) return (owner, fd);
            fd.Dispose(); // the id is taken (alive, or a dead owner not swept yet): draw another
        }
    }

    private string PathOf(int owner) => Path.Combine(_dir, DecimalDigits.Format(owner));
}
