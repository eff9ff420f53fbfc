using System.Text;
using Microsoft.Win32.SafeHandles;

namespace NativeIpc.Tests.Parity;

/// <summary>Child targets of the ported _TestConnection and _TestPoll tests.</summary>
public static class ConnectionTargets
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>_echo: echoes byte messages until an empty one.</summary>
    public static void Echo(Connection conn)
    {
        while (conn.RecvBytes(Wait) is { Length: > 0 } msg) conn.SendBytes(msg);
        conn.Close();
    }

    /// <summary>_writefd: receives a descriptor and writes <paramref name="data"/> to it.</summary>
    public static void WriteFd(Connection conn, byte[] data)
    {
        using SafeFileHandle fd = conn.RecvHandle(Wait);
        using var f = new FileStream(fd, FileAccess.Write);
        f.Write(data);
    }

    /// <summary>_send_data_without_fd: a plain message where a handle is expected.</summary>
    public static void SendDataWithoutFd(Connection conn) => conn.SendBytes([0]);

    /// <summary>_child_strings: sends each with a pause.</summary>
    public static void ChildStrings(Connection conn, string[] strings)
    {
        foreach (var s in strings)
        {
            Thread.Sleep(100);
            conn.SendBytes(Encoding.ASCII.GetBytes(s));
        }
        conn.Close();
    }

    /// <summary>_child_boundaries: polls, which must not take a message (or part of one) out of the pipe.</summary>
    public static void ChildBoundaries(Connection r) => r.Poll(TimeSpan.FromSeconds(5));

    /// <summary>_child_dont_merge.</summary>
    public static void ChildDontMerge(Connection b)
    {
        b.SendBytes("a"u8);
        b.SendBytes("b"u8);
        b.SendBytes("cd"u8);
    }
}
