using System.Runtime.InteropServices;
using Tmds.Linux;

namespace NativeIpc.Platform.Unix.Interop;

/// <summary>posix_spawn and its file actions (glibc). All hand-written: Tmds.LibC has no posix_spawn family; the
/// signal sets (sigset_t, sigemptyset, sigfillset) are its.</summary>
internal static unsafe partial class Spawn
{
    // Opaque glibc structures: 80 and 336 bytes on x86-64; we allocate generously.
    public const int FileActionsSize = 256;
    public const int AttrSize = 512;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawn(out int pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawn_file_actions_destroy(void* fileActions);

    // Takes descriptor numbers, not SafeFds: PosixSpawn holds a reference on every source until the spawn has run.
    [LibraryImport(Libc.Name)]
    public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int oflag, uint mode);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int from);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_setsigmask(void* attr, sigset_t* sigmask);

    [LibraryImport(Libc.Name)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, sigset_t* sigdefault);
}
