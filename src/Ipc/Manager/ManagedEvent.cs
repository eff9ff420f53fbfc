namespace NativeIpc;

/// <summary>An event kept by a remote manager's server (<see cref="IpcManager.Event(string)"/>).</summary>
/// <remarks>Python: Manager().Event() (a threading.Event proxy)</remarks>
public sealed class ManagedEvent
{
    private readonly IManagerLink _link;
    private readonly int _id;

    internal ManagedEvent(IManagerLink link, string name)
    {
        _link = link;
        Name = name;
        _id = link.Open(ManagerObjectKind.Event, 0, 1, name);
    }

    /// <summary>The name the event has on its manager.</summary>
    public string Name { get; }

    /// <summary>Sets the flag and wakes every waiter.</summary>
    /// <remarks>Python: event.set()</remarks>
    public void Set() => _link.Call(ManagerMessage.Request(ManagerOp.EventSet, _id));

    /// <summary>Clears the flag.</summary>
    /// <remarks>Python: event.clear()</remarks>
    public void Clear() => _link.Call(ManagerMessage.Request(ManagerOp.EventClear, _id));

    /// <summary>Whether the flag is set.</summary>
    /// <remarks>Python: event.is_set()</remarks>
    public bool IsSet => new ManagerReader(_link.Call(ManagerMessage.Request(ManagerOp.EventIsSet, _id))).Bool();

    /// <summary>Waits until the flag is set, up to <paramref name="timeout"/> (null: no limit); returns the flag.</summary>
    /// <exception cref="IpcPipeClosedException">The manager's server is gone (also while waiting).</exception>
    /// <remarks>Python: event.wait(timeout)</remarks>
    public bool Wait(TimeSpan? timeout = null)
    {
        int ms = timeout is not { } t || t == Timeout.InfiniteTimeSpan ? -1 : (int)Math.Clamp(t.TotalMilliseconds, 0, int.MaxValue);
        return new ManagerReader(_link.Call(ManagerMessage.Request(ManagerOp.EventWait, _id).I32(ms))).Bool();
    }

    /// <inheritdoc/>
    public override string ToString() => $"ManagedEvent({Name})";
}
