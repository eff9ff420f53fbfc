namespace NativeIpc.Tests.Serialization;

/// <summary>Children for the encoding tests: each sends back what it received through another channel.</summary>
public static class EncodingTargets
{
    public const string Mixed = "héllo wörld ✓ 𝄞 \0 end";

    /// <summary>Receives a string argument and a Tagged argument, and returns them over a queue and a pipe.</summary>
    public static void Echo(string s, NativeIpc.Tests.Process.Tagged tagged, int[] numbers, IpcQueue<string> queue, Connection pipe)
    {
        queue.Put(s);
        queue.Put(tagged.Label);
        pipe.Send(tagged);
        pipe.Send(numbers);
        pipe.Send(s);
        pipe.Close();
    }

    public static string Concat(string s, NativeIpc.Tests.Process.Tagged tagged) => s + "|" + tagged.Label;
}
