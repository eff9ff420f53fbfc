namespace NativeIpc.Waiting;

/// <summary>One liveness look of a parker thread: <see cref="ProcessLiveness.IsAlive"/> answers memoised for its
/// duration, so the holders many queues share (typically this process and a few children) are tested once per slice,
/// not once per queue.</summary>
internal sealed class LivenessLook
{
    private readonly Dictionary<int, bool> _answers = [];

    /// <summary>As <see cref="ProcessLiveness.IsAlive"/>, asked at most once per owner in this look.</summary>
    public bool IsAlive(int owner)
    {
        if (owner == ProcessLiveness.Self) return true;
        if (!_answers.TryGetValue(owner, out bool alive)) _answers[owner] = alive = ProcessLiveness.IsAlive(owner);
        return alive;
    }

    /// <summary>Forgets the answers: the next look asks again.</summary>
    public void Clear() => _answers.Clear();
}
