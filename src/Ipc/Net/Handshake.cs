using System.Security.Cryptography;
using System.Text;

namespace NativeIpc.Net;

/// <summary>The authkey challenge of CPython's <c>multiprocessing.connection</c>, byte for byte, in both forms it
/// has used: CPython ≤ 3.11 sends 20 random bytes and expects their bare HMAC-MD5; 3.12+ sends
/// <c>{sha256}</c> + 40 random bytes and expects <c>{sha256}</c> + the HMAC of the whole message. Each side proves the
/// key both ways: a listener delivers then answers, a client answers then delivers.</summary>
internal static class Handshake
{
    private static readonly byte[] s_challenge = "#CHALLENGE#"u8.ToArray();
    private static readonly byte[] s_welcome = "#WELCOME#"u8.ToArray();
    private static readonly byte[] s_failure = "#FAILURE#"u8.ToArray();

    /// <summary>Name for <see cref="NetConnectionOptions.ChallengeDigest"/> that selects the ≤ 3.11 form.</summary>
    public const string Legacy = "legacy";

    private const int ModernRandomBytes = 40;  // CPython 3.12's MESSAGE_LENGTH
    private const int LegacyMessageBytes = 20; // CPython ≤ 3.11's MESSAGE_LENGTH; also the shortest challenge accepted
    private const int Md5Bytes = 16;
    private const int MaxDigestNameLength = 8; // 'sha3_256'

    /// <summary>The listener's side: challenge the peer, then answer its challenge.</summary>
    public static async Task AsServerAsync(StreamChannel channel, byte[] key, NetConnectionOptions options, CancellationToken ct)
    {
        await DeliverAsync(channel, key, options, ct).ConfigureAwait(false);
        await AnswerAsync(channel, key, ct).ConfigureAwait(false);
    }

    /// <summary>The client's side: answer the listener's challenge, then challenge it.</summary>
    public static async Task AsClientAsync(StreamChannel channel, byte[] key, NetConnectionOptions options, CancellationToken ct)
    {
        await AnswerAsync(channel, key, ct).ConfigureAwait(false);
        await DeliverAsync(channel, key, options, ct).ConfigureAwait(false);
    }

    /// <summary>Python's <c>deliver_challenge</c>.</summary>
    public static async Task DeliverAsync(StreamChannel channel, byte[] key, NetConnectionOptions options, CancellationToken ct)
    {
        bool legacy = options.ChallengeDigest == Legacy;
        byte[] random = RandomNumberGenerator.GetBytes(legacy ? LegacyMessageBytes : ModernRandomBytes);
        byte[] message = legacy ? random : [.. Encoding.ASCII.GetBytes("{" + options.ChallengeDigest + "}"), .. random];
        await channel.SendAsync((byte[])[.. s_challenge, .. message], ct).ConfigureAwait(false);
        byte[] response = await ReceiveAsync(channel, ct).ConfigureAwait(false);
        string? failure = Verify(key, message, response, legacy || options.AllowLegacyMd5Answer);
        if (failure is not null)
        {
            await channel.SendAsync(s_failure, ct).ConfigureAwait(false);
            throw new IpcAuthenticationException(failure);
        }
        await channel.SendAsync(s_welcome, ct).ConfigureAwait(false);
    }

    /// <summary>Python's <c>answer_challenge</c>.</summary>
    public static async Task AnswerAsync(StreamChannel channel, byte[] key, CancellationToken ct)
    {
        byte[] received = await ReceiveAsync(channel, ct).ConfigureAwait(false);
        if (!received.AsSpan().StartsWith(s_challenge))
            throw new IpcAuthenticationException("The peer did not start the authkey challenge (is it a multiprocessing listener, and does it use an authkey?).");
        byte[] message = received[s_challenge.Length..];
        if (message.Length < LegacyMessageBytes)
            throw new IpcAuthenticationException($"The peer's challenge is too short ({message.Length} bytes).");
        string digest = DigestOf(message) ?? throw new IpcAuthenticationException("The peer's challenge names no supported digest.");
        byte[] mac = Mac(digest, key, message);
        await channel.SendAsync(digest == "" ? mac : [.. Encoding.ASCII.GetBytes("{" + digest + "}"), .. mac], ct).ConfigureAwait(false);
        byte[] verdict = await ReceiveAsync(channel, ct).ConfigureAwait(false);
        if (!verdict.AsSpan().SequenceEqual(s_welcome))
            throw new IpcAuthenticationException("The peer rejected our answer to its challenge: the authkeys differ.");
    }

    /// <summary>Null if <paramref name="response"/> is the right MAC of <paramref name="message"/>, else why not.
    /// Compared in constant time.</summary>
    private static string? Verify(byte[] key, byte[] message, byte[] response, bool allowLegacy)
    {
        string? digest = DigestOf(response);
        if (digest is null) return "The peer's answer has no supported digest prefix.";
        if (digest == "" && !allowLegacy) return "The peer answered with a bare HMAC-MD5, which this end does not accept.";
        var mac = digest == "" ? response : response.AsSpan(digest.Length + 2);
        byte[] expected = Mac(digest, key, message);
        // FixedTimeEquals returns false at once for a length mismatch; lengths are not secret.
        return CryptographicOperations.FixedTimeEquals(expected, mac) ? null : "The peer's answer to the authkey challenge is wrong: the authkeys differ.";
    }

    /// <summary>CPython's <c>_get_digest_name_and_payload</c>: "" for the unprefixed legacy lengths (16, 20),
    /// the name of a <c>{digest}</c> prefix, or null when neither.</summary>
    internal static string? DigestOf(ReadOnlySpan<byte> message)
    {
        if (message.Length is Md5Bytes or LegacyMessageBytes) return "";
        if (message.Length == 0 || message[0] != (byte)'{') return null;
        int curly = message[1..Math.Min(message.Length, MaxDigestNameLength + 2)].IndexOf((byte)'}');
        if (curly < 0) return null;
        string name = Encoding.ASCII.GetString(message.Slice(1, curly));
        return IsSupported(name) ? name : null;
    }

    private static bool IsSupported(string name) => name is "md5" or "sha256" or "sha384" or "sha3_256" or "sha3_384";

    /// <summary>Throws unless <paramref name="name"/> can be asked for in a challenge.</summary>
    internal static void CheckDigestName(string name)
    {
        if (name != Legacy && !IsSupported(name))
            throw new ArgumentException($"'{name}' is not a digest CPython's challenge knows (md5, sha256, sha384, sha3_256, sha3_384, or '{Legacy}').", nameof(name));
    }

    private static byte[] Mac(string digest, byte[] key, byte[] message) => digest switch
    {
        "" or "md5" => HMACMD5.HashData(key, message),
        "sha256" => HMACSHA256.HashData(key, message),
        "sha384" => HMACSHA384.HashData(key, message),
        "sha3_256" when HMACSHA3_256.IsSupported => HMACSHA3_256.HashData(key, message),
        "sha3_384" when HMACSHA3_384.IsSupported => HMACSHA3_384.HashData(key, message),
        _ => throw new IpcAuthenticationException($"The digest '{digest}' is not available on this machine."),
    };

    private static async Task<byte[]> ReceiveAsync(StreamChannel channel, CancellationToken ct)
    {
        try
        {
            return await channel.ReceiveAsync(Deadline.Infinite, ct, WireLayout.HandshakeMaxBytes).ConfigureAwait(false)
                ?? throw new System.Diagnostics.UnreachableException();
        }
        catch (IpcProtocolException e)
        {
            throw new IpcAuthenticationException("The peer sent something other than a handshake message: " + e.Message);
        }
    }
}
