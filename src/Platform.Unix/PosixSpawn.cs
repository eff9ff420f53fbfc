using System.Runtime.InteropServices;
using System.Text;
using S = NativeIpc.Platform.Unix.Interop.Spawn;
using Tmds.Linux;

namespace NativeIpc.Platform.Unix;

/// <summary>posix_spawn with file actions: the child inherits stdout/stderr, gets /dev/null as stdin, and of
/// all other descriptors only those named in <c>fdMap</c>, at the numbers given; signals are reset to default
/// and unblocked.</summary>
internal static unsafe class PosixSpawn
{
    /// <summary>Spawns <paramref name="path"/> and returns its pid.</summary>
    /// <param name="path">Absolute path of the executable.</param>
    /// <param name="argv">Full argument vector, argv[0] included.</param>
    /// <param name="envp">Environment entries, each <c>NAME=value</c>.</param>
    /// <param name="fdMap">Descriptors to pass: each source is dup2'ed to its target number in the child.
    /// Targets must be distinct, at least 3, and below the first number closed.</param>
    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp,
        IReadOnlyList<(SafeFd Source, int Target)> fdMap)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int maxTarget = 2;
        foreach (var (_, t) in fdMap)
        {
            if (t < 3) throw new ArgumentException("Descriptor targets must be 3 or above.", nameof(fdMap));
            maxTarget = Math.Max(maxTarget, t);
        }

        var strings = new List<nint>();
        byte* fa = (byte*)NativeMemory.AllocZeroed(S.FileActionsSize);
        byte* attr = (byte*)NativeMemory.AllocZeroed(S.AttrSize);
        sigset_t sigs = default;
        var refs = new List<SafeHandle>();
        try
        {
            byte* cpath = Utf8(path, strings);
            byte** cargv = Vector(argv, strings);
            byte** cenv = Vector(envp, strings);
            Check(S.posix_spawn_file_actions_init(fa), "posix_spawn_file_actions_init");
            Check(S.posix_spawnattr_init(attr), "posix_spawnattr_init");
            try
            {
                Check(S.posix_spawn_file_actions_addopen(fa, 0, Utf8("/dev/null", strings), LibC.O_RDONLY, 0), "posix_spawn_file_actions_addopen");
                // Two steps, so a source number that equals another target is never clobbered:
                // first lift every source above all targets, then place it.
                int staging = maxTarget + 1;
                foreach (var (src, _) in fdMap)
                {
                    bool ok = false; src.DangerousAddRef(ref ok); refs.Add(src);
                    Check(S.posix_spawn_file_actions_adddup2(fa, src.Fd, staging++), "posix_spawn_file_actions_adddup2");
                }
                staging = maxTarget + 1;
                foreach (var (_, target) in fdMap)
                    Check(S.posix_spawn_file_actions_adddup2(fa, staging++, target), "posix_spawn_file_actions_adddup2");
                Check(S.posix_spawn_file_actions_addclosefrom_np(fa, maxTarget + 1), "posix_spawn_file_actions_addclosefrom_np");

                LibC.sigemptyset(&sigs);
                Check(S.posix_spawnattr_setsigmask(attr, &sigs), "posix_spawnattr_setsigmask");
                LibC.sigfillset(&sigs);
                Check(S.posix_spawnattr_setsigdefault(attr, &sigs), "posix_spawnattr_setsigdefault");
                Check(S.posix_spawnattr_setflags(attr, S.POSIX_SPAWN_SETSIGMASK | S.POSIX_SPAWN_SETSIGDEF), "posix_spawnattr_setflags");

                int err = S.posix_spawn(out int pid, cpath, fa, attr, cargv, cenv);
                if (err != 0) throw PosixErrors.ToException(err, "posix_spawn", path);
                return pid;
            }
            finally
            {
                S.posix_spawn_file_actions_destroy(fa);
                S.posix_spawnattr_destroy(attr);
            }
        }
        finally
        {
            foreach (var r in refs) r.DangerousRelease();
            foreach (var p in strings) NativeMemory.Free((void*)p);
            NativeMemory.Free(fa);
            NativeMemory.Free(attr);
        }
    }

    private static void Check(int err, string op)
    {
        if (err != 0) throw PosixErrors.ToException(err, op);
    }

    private static byte* Utf8(string s, List<nint> owned)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        owned.Add((nint)p);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    private static byte** Vector(IReadOnlyList<string> items, List<nint> owned)
    {
        byte** v = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(nint));
        owned.Add((nint)v);
        for (int i = 0; i < items.Count; i++) v[i] = Utf8(items[i], owned);
        v[items.Count] = null;
        return v;
    }
}
