namespace NativeIpc.Os;

/// <summary>Everything a launcher needs to start one child: the program, its arguments and environment,
/// and the launch spec the child's bootstrap reads from its inherited channel. A null spec starts a standby child
/// that waits for <see cref="IChildProcess.SendSpec"/>.</summary>
internal sealed record ChildLaunch(string Program, IReadOnlyList<string> Argv, IReadOnlyDictionary<string, string> Environment, byte[]? Spec, bool Daemon);
