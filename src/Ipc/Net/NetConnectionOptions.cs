namespace NativeIpc;

/// <summary>What a <see cref="Listener"/> and a <see cref="Client"/> both decide about their connections: the largest
/// message accepted, how long the authkey handshake may take and which digest the challenge asks for.</summary>
public abstract class NetConnectionOptions
{
    /// <summary>Default <see cref="MaxMessageBytes"/>: 128 MiB.</summary>
    public const int DefaultMaxMessageBytes = 128 << 20;

    /// <summary>The largest message a connection receives. A length prefix above it closes the connection with
    /// <see cref="IpcProtocolException"/> before anything is allocated for it (Python has no such limit).</summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>How long the authkey challenge (both directions) and the TLS handshake may take; a peer that connects
    /// and sends nothing is dropped after it. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The HMAC digest our challenge asks for: <c>sha256</c> (CPython 3.12's default), <c>sha384</c>,
    /// <c>sha3_256</c>, <c>sha3_384</c>, <c>md5</c>; or <c>legacy</c> for the unprefixed 20-byte HMAC-MD5 challenge of
    /// CPython ≤ 3.11. Answers to the peer's challenge follow whatever form the peer used.</summary>
    /// <remarks>Python: deliver_challenge(connection, authkey, digest_name='sha256')</remarks>
    public string ChallengeDigest { get; init; } = "sha256";

    /// <summary>Whether a peer may answer our prefixed challenge with a bare HMAC-MD5 (what CPython ≤ 3.11 sends;
    /// CPython 3.12 accepts it too). Default true; false admits only peers that answer with a <c>{digest}</c> prefix.</summary>
    public bool AllowLegacyMd5Answer { get; init; } = true;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageBytes, 256, nameof(MaxMessageBytes));
        if (HandshakeTimeout <= TimeSpan.Zero && HandshakeTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(HandshakeTimeout), HandshakeTimeout, "The handshake timeout must be positive.");
        Net.Handshake.CheckDigestName(ChallengeDigest);
    }
}
