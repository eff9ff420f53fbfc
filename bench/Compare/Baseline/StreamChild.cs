using System.Buffers.Binary;

namespace NativeIpc.Compare.Baseline;

/// <summary>The child's half of the .NET baseline workloads, the same over any stream.</summary>
internal static class StreamChild
{
    public const string Send = "send";
    public const string Echo = "echo";

    /// <summary>"send": per round, an empty "ready" message then <paramref name="count"/> messages of
    /// <paramref name="size"/> bytes whose first 8 bytes are the index. "echo": returns every message it gets.</summary>
    public static void Run(Stream input, Stream output, string role, int rounds, int count, int size)
    {
        var scratch = new byte[Math.Max(size, 8) + 4];
        var message = new byte[Math.Max(size, 8)];
        for (int r = 0; r < rounds; r++)
        {
            if (role == Send)
            {
                Framing.Write(output, [], scratch);
                for (int i = 0; i < count; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(message, i);
                    Framing.Write(output, message.AsSpan(0, size), scratch);
                }
            }
            else if (role == Echo)
            {
                for (int i = 0; i < count; i++)
                {
                    int n = Framing.ReadInto(input, ref message);
                    Framing.Write(output, message.AsSpan(0, n), scratch);
                }
            }
            else throw new ArgumentException($"Unknown role '{role}'.", nameof(role));
            output.Flush();
        }
    }
}
