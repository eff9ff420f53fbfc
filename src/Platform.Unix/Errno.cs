using Tmds.Linux;

namespace NativeIpc.Platform.Unix;

/// <summary>errno values the layer and its callers test for (taken from Tmds.LibC, correct per architecture).</summary>
internal static class Errno
{
    /// <summary>Interrupted system call.</summary>
    public static int EINTR => LibC.EINTR;
    /// <summary>Try again / would block.</summary>
    public static int EAGAIN => LibC.EAGAIN;
    /// <summary>No such file or directory.</summary>
    public static int ENOENT => LibC.ENOENT;
    /// <summary>File exists.</summary>
    public static int EEXIST => LibC.EEXIST;
    /// <summary>No such process.</summary>
    public static int ESRCH => LibC.ESRCH;
    /// <summary>Timed out.</summary>
    public static int ETIMEDOUT => LibC.ETIMEDOUT;
    /// <summary>No space left on device.</summary>
    public static int ENOSPC => LibC.ENOSPC;
    /// <summary>Bad address (a page that could not be supplied).</summary>
    public static int EFAULT => LibC.EFAULT;
    /// <summary>Out of memory.</summary>
    public static int ENOMEM => LibC.ENOMEM;
    /// <summary>Function not implemented.</summary>
    public static int ENOSYS => LibC.ENOSYS;
    /// <summary>Invalid argument.</summary>
    public static int EINVAL => LibC.EINVAL;
    /// <summary>File name too long.</summary>
    public static int ENAMETOOLONG => LibC.ENAMETOOLONG;
    /// <summary>Permission denied.</summary>
    public static int EACCES => LibC.EACCES;
}
