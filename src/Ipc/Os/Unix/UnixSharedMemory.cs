using System.Runtime.Versioning;
using NativeIpc.Platform.Unix;

namespace NativeIpc.Os.Unix;

/// <summary>shm_open/mmap segments. Crash cleanup: a tiny /bin/sh tracker holds the read end of a pipe whose
/// write end only this process has; when this process dies in any way the pipe reports end-of-file and the
/// tracker removes this process's names (the idea of CPython's resource_tracker, without a second runtime).
/// Generated names carry this process's owner id and are matched by prefix; names the user chose are marker files
/// in a private directory the tracker reads only at the end.</summary>
[SupportedOSPlatform("linux")]
internal sealed class UnixSharedMemory : ISharedMemoryProvider
{
    private const string ShmDir = "/dev/shm";
    private const string MarkerPrefix = "n";
    private const int RemoveBatch = 200; // paths per rm at crash cleanup: few execs, far below ARG_MAX
    private SafeFd? _trackerLifeline;
    private string? _markers;
    private readonly object _gate = new();

    public int MaxNameLength => 200;

    public ISharedMapping Create(string name, long size)
    {
        SafeFd fd;
        try { fd = PosixSharedMemory.Create("/" + name, size); }
        catch (IOException e) when (PosixErrors.IsNoSpace(e))
        {
            // Said here, at create, because the alternative is a SIGBUS on first touch of a page that is not there.
            throw new IOException(
                $"Not enough shared memory for '{name}': {size} bytes were asked for, {ShmDir} has {FreeBytes()} bytes free. " +
                $"Free some, or enlarge {ShmDir} (mount -o remount,size=...).", e) { HResult = e.HResult };
        }
        try { return new Mapping(fd, size); }
        catch { fd.Dispose(); PosixSharedMemory.Unlink("/" + name); throw; }
    }

    private static long FreeBytes()
    {
        try { return new DriveInfo(ShmDir).AvailableFreeSpace; }
        catch (IOException) { return -1; }
    }

    public ISharedMapping Open(string name)
    {
        SafeFd fd = PosixSharedMemory.Open("/" + name); // FileNotFoundException when there is none
        try { return new Mapping(fd, PosixSharedMemory.GetSize(fd)); }
        catch { fd.Dispose(); throw; }
    }

    public bool Unlink(string name) => PosixSharedMemory.Unlink("/" + name);

    public void TrackCrashCleanup(string prefix)
    {
        lock (_gate)
        {
            if (_trackerLifeline is not null) return;
            // Chosen names are kept as empty marker files in a private directory, so adding and removing one is a
            // file create/delete (O(1), no pipe to fill, no tracker to wait for). The directory sits in /dev/shm
            // because that is writable wherever shared memory works at all.
            string markers = Path.Combine(ShmDir, $"{SegmentNames.Prefix}tracker-{ProcessLiveness.Self}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(markers, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var (read, write) = FileDescriptors.CreatePipe();
            using (read)
            {
                // 'read' fails at end-of-file, when every copy of the write end is closed, i.e. when we are gone.
                // Nothing is ever written. Marker names are only ever expanded quoted, never evaluated.
                // At the end, marked names are removed a batch of paths per rm, so a crash with many is quick too.
                string script =
                    "trap '' INT HUP TERM\n" +
                    "d=$1\n" +
                    "while IFS= read -r l <&3; do :; done\n" +
                    $"rm -f {ShmDir}/{prefix}*\n" +
                    "set --\n" +
                    $"for f in \"$d\"/{MarkerPrefix}*; do\n" +
                    "  [ -e \"$f\" ] || continue\n" +
                    $"  set -- \"$@\" \"{ShmDir}/${{f#\"$d\"/{MarkerPrefix}}}\"\n" +
                    $"  [ $# -lt {RemoveBatch} ] || {{ rm -f -- \"$@\"; set --; }}\n" +
                    "done\n" +
                    "[ $# -eq 0 ] || rm -f -- \"$@\"\n" +
                    "rm -rf -- \"$d\"\n";
                try { PosixSpawn.Spawn("/bin/sh", ["/bin/sh", "-c", script, "nipc-tracker", markers], ["PATH=/usr/bin:/bin"], [(read, 3)]); }
                catch { write.Dispose(); Directory.Delete(markers, recursive: true); throw; }
            }
            _markers = markers;
            _trackerLifeline = write; // held until this process exits
        }
    }

    public void TrackName(string name)
    {
        if (MarkerPath(name) is not { } path) return;
        // Best effort, like the tracker itself: a segment whose marker could not be written still works.
        try { File.OpenHandle(path, FileMode.Create, FileAccess.Write).Dispose(); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public void UntrackName(string name)
    {
        if (MarkerPath(name) is not { } path) return;
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    // Prefixed so a name starting with '.' is still matched by the tracker's glob.
    private string? MarkerPath(string name) => Volatile.Read(ref _markers) is { } dir ? Path.Combine(dir, MarkerPrefix + name) : null;

    private const string TrackerDirPrefix = SegmentNames.Prefix + "tracker-";

    public IEnumerable<int> TrackedOwners()
    {
        if (!Directory.Exists(ShmDir)) return [];
        var owners = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories(ShmDir, TrackerDirPrefix + "*"))
        {
            string name = Path.GetFileName(dir)[TrackerDirPrefix.Length..];
            int dash = name.IndexOf('-');
            if (dash > 0 && int.TryParse(name.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int owner))
                owners.Add(owner);
        }
        return owners;
    }

    public void CleanUpAfter(int owner)
    {
        if (!Directory.Exists(ShmDir)) return;
        foreach (string dir in Directory.EnumerateDirectories(ShmDir, $"{TrackerDirPrefix}{owner}-*"))
        {
            try
            {
                foreach (string marker in Directory.EnumerateFiles(dir, MarkerPrefix + "*"))
                {
                    try { PosixSharedMemory.Unlink("/" + Path.GetFileName(marker)[MarkerPrefix.Length..]); }
                    catch (IOException) { /* gone already */ }
                    catch (UnauthorizedAccessException) { }
                }
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException) { /* another sweeper got there first */ }
            catch (UnauthorizedAccessException) { /* another user's */ }
        }
    }

    public IEnumerable<string> ListNames(string prefix)
    {
        if (!Directory.Exists(ShmDir)) return [];
        return Directory.EnumerateFiles(ShmDir, prefix + "*").Select(Path.GetFileName).OfType<string>();
    }

    private sealed unsafe class Mapping : ISharedMapping
    {
        private byte* _p;

        private bool _disposed;

        public Mapping(SafeFd fd, long length)
        {
            // The mapping keeps the object alive; the fd is not needed. mmap cannot map 0 bytes: an object its creator
            // has not sized yet is an empty mapping.
            using (fd) _p = length > 0 ? PosixSharedMemory.Map(fd, length) : null;
            Length = length;
        }

        public byte* Pointer => !_disposed ? _p : throw new ObjectDisposedException(nameof(ISharedMapping));
        public long Length { get; }

        public void Prefault()
        {
            if (!_disposed && _p != null) PosixSharedMemory.Populate(_p, Length);
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (_p != null) PosixSharedMemory.Unmap(_p, Length);
            _p = null;
        }
    }
}
