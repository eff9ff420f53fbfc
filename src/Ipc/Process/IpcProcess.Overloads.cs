namespace NativeIpc;

// Typed factories for 0..8 arguments, written by hand (nothing generates this file): a typed delegate lets the
// compiler check each argument against the target's parameters. The 18 members follow one pattern; change them together.
public sealed partial class IpcProcess
{
    /// <summary>Starts a child process that runs <paramref name="target"/>.
    /// The compiler checks the argument types against the target's parameters.</summary>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <returns>The started process.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...)).start()</c></remarks>
    public static IpcProcess Start(Action target) => new IpcProcess(target, []).Start();

    /// <summary>Creates (without starting) a child process that will run <paramref name="target"/>; set
    /// <see cref="Name"/> or <see cref="Daemon"/>, then call <see cref="Start()"/>.</summary>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <returns>The process, not yet started.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...))</c></remarks>
    public static IpcProcess Create(Action target) => new IpcProcess(target, []);

    /// <summary>Starts a child process that runs <paramref name="target"/> with the given arguments.
    /// The compiler checks the argument types against the target's parameters.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The started process.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...)).start()</c></remarks>
    public static IpcProcess Start<T1>(Action<T1> target, T1 arg1) => new IpcProcess(target, [arg1]).Start();

    /// <summary>Creates (without starting) a child process that will run <paramref name="target"/>; set
    /// <see cref="Name"/> or <see cref="Daemon"/>, then call <see cref="Start()"/>.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The process, not yet started.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...))</c></remarks>
    public static IpcProcess Create<T1>(Action<T1> target, T1 arg1) => new IpcProcess(target, [arg1]);

    /// <summary>Starts a child process that runs <paramref name="target"/> with the given arguments.
    /// The compiler checks the argument types against the target's parameters.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The started process.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...)).start()</c></remarks>
    public static IpcProcess Start<T1, T2>(Action<T1, T2> target, T1 arg1, T2 arg2) => new IpcProcess(target, [arg1, arg2]).Start();

    /// <summary>Creates (without starting) a child process that will run <paramref name="target"/>; set
    /// <see cref="Name"/> or <see cref="Daemon"/>, then call <see cref="Start()"/>.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The process, not yet started.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...))</c></remarks>
    public static IpcProcess Create<T1, T2>(Action<T1, T2> target, T1 arg1, T2 arg2) => new IpcProcess(target, [arg1, arg2]);

    /// <summary>Starts a child process that runs <paramref name="target"/> with the given arguments.
    /// The compiler checks the argument types against the target's parameters.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The started process.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...)).start()</c></remarks>
    public static IpcProcess Start<T1, T2, T3>(Action<T1, T2, T3> target, T1 arg1, T2 arg2, T3 arg3) => new IpcProcess(target, [arg1, arg2, arg3]).Start();

    /// <summary>Creates (without starting) a child process that will run <paramref name="target"/>; set
    /// <see cref="Name"/> or <see cref="Daemon"/>, then call <see cref="Start()"/>.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The process, not yet started.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...))</c></remarks>
    public static IpcProcess Create<T1, T2, T3>(Action<T1, T2, T3> target, T1 arg1, T2 arg2, T3 arg3) => new IpcProcess(target, [arg1, arg2, arg3]);

    /// <summary>Starts a child process that runs <paramref name="target"/> with the given arguments.
    /// The compiler checks the argument types against the target's parameters.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <typeparam name="T4">Type of argument 4.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg4">Argument 4: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The started process.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...)).start()</c></remarks>
    public static IpcProcess Start<T1, T2, T3, T4>(Action<T1, T2, T3, T4> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4) => new IpcProcess(target, [arg1, arg2, arg3, arg4]).Start();

    /// <summary>Creates (without starting) a child process that will run <paramref name="target"/>; set
    /// <see cref="Name"/> or <see cref="Daemon"/>, then call <see cref="Start()"/>.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <typeparam name="T4">Type of argument 4.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg4">Argument 4: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The process, not yet started.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...))</c></remarks>
    public static IpcProcess Create<T1, T2, T3, T4>(Action<T1, T2, T3, T4> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4) => new IpcProcess(target, [arg1, arg2, arg3, arg4]);

    /// <summary>Starts a child process that runs <paramref name="target"/> with the given arguments.
    /// The compiler checks the argument types against the target's parameters.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <typeparam name="T4">Type of argument 4.</typeparam>
    /// <typeparam name="T5">Type of argument 5.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg4">Argument 4: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg5">Argument 5: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The started process.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...)).start()</c></remarks>
    public static IpcProcess Start<T1, T2, T3, T4, T5>(Action<T1, T2, T3, T4, T5> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5) => new IpcProcess(target, [arg1, arg2, arg3, arg4, arg5]).Start();

    /// <summary>Creates (without starting) a child process that will run <paramref name="target"/>; set
    /// <see cref="Name"/> or <see cref="Daemon"/>, then call <see cref="Start()"/>.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <typeparam name="T4">Type of argument 4.</typeparam>
    /// <typeparam name="T5">Type of argument 5.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg4">Argument 4: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg5">Argument 5: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The process, not yet started.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...))</c></remarks>
    public static IpcProcess Create<T1, T2, T3, T4, T5>(Action<T1, T2, T3, T4, T5> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5) => new IpcProcess(target, [arg1, arg2, arg3, arg4, arg5]);

    /// <summary>Starts a child process that runs <paramref name="target"/> with the given arguments.
    /// The compiler checks the argument types against the target's parameters.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <typeparam name="T4">Type of argument 4.</typeparam>
    /// <typeparam name="T5">Type of argument 5.</typeparam>
    /// <typeparam name="T6">Type of argument 6.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg4">Argument 4: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg5">Argument 5: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg6">Argument 6: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The started process.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...)).start()</c></remarks>
    public static IpcProcess Start<T1, T2, T3, T4, T5, T6>(Action<T1, T2, T3, T4, T5, T6> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6) => new IpcProcess(target, [arg1, arg2, arg3, arg4, arg5, arg6]).Start();

    /// <summary>Creates (without starting) a child process that will run <paramref name="target"/>; set
    /// <see cref="Name"/> or <see cref="Daemon"/>, then call <see cref="Start()"/>.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <typeparam name="T4">Type of argument 4.</typeparam>
    /// <typeparam name="T5">Type of argument 5.</typeparam>
    /// <typeparam name="T6">Type of argument 6.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg4">Argument 4: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg5">Argument 5: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg6">Argument 6: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The process, not yet started.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...))</c></remarks>
    public static IpcProcess Create<T1, T2, T3, T4, T5, T6>(Action<T1, T2, T3, T4, T5, T6> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6) => new IpcProcess(target, [arg1, arg2, arg3, arg4, arg5, arg6]);

    /// <summary>Starts a child process that runs <paramref name="target"/> with the given arguments.
    /// The compiler checks the argument types against the target's parameters.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <typeparam name="T4">Type of argument 4.</typeparam>
    /// <typeparam name="T5">Type of argument 5.</typeparam>
    /// <typeparam name="T6">Type of argument 6.</typeparam>
    /// <typeparam name="T7">Type of argument 7.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg4">Argument 4: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg5">Argument 5: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg6">Argument 6: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg7">Argument 7: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The started process.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...)).start()</c></remarks>
    public static IpcProcess Start<T1, T2, T3, T4, T5, T6, T7>(Action<T1, T2, T3, T4, T5, T6, T7> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7) => new IpcProcess(target, [arg1, arg2, arg3, arg4, arg5, arg6, arg7]).Start();

    /// <summary>Creates (without starting) a child process that will run <paramref name="target"/>; set
    /// <see cref="Name"/> or <see cref="Daemon"/>, then call <see cref="Start()"/>.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <typeparam name="T4">Type of argument 4.</typeparam>
    /// <typeparam name="T5">Type of argument 5.</typeparam>
    /// <typeparam name="T6">Type of argument 6.</typeparam>
    /// <typeparam name="T7">Type of argument 7.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg4">Argument 4: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg5">Argument 5: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg6">Argument 6: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg7">Argument 7: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The process, not yet started.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...))</c></remarks>
    public static IpcProcess Create<T1, T2, T3, T4, T5, T6, T7>(Action<T1, T2, T3, T4, T5, T6, T7> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7) => new IpcProcess(target, [arg1, arg2, arg3, arg4, arg5, arg6, arg7]);

    /// <summary>Starts a child process that runs <paramref name="target"/> with the given arguments.
    /// The compiler checks the argument types against the target's parameters.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <typeparam name="T4">Type of argument 4.</typeparam>
    /// <typeparam name="T5">Type of argument 5.</typeparam>
    /// <typeparam name="T6">Type of argument 6.</typeparam>
    /// <typeparam name="T7">Type of argument 7.</typeparam>
    /// <typeparam name="T8">Type of argument 8.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg4">Argument 4: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg5">Argument 5: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg6">Argument 6: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg7">Argument 7: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg8">Argument 8: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The started process.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...)).start()</c></remarks>
    public static IpcProcess Start<T1, T2, T3, T4, T5, T6, T7, T8>(Action<T1, T2, T3, T4, T5, T6, T7, T8> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7, T8 arg8) => new IpcProcess(target, [arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8]).Start();

    /// <summary>Creates (without starting) a child process that will run <paramref name="target"/>; set
    /// <see cref="Name"/> or <see cref="Daemon"/>, then call <see cref="Start()"/>.</summary>
    /// <typeparam name="T1">Type of argument 1.</typeparam>
    /// <typeparam name="T2">Type of argument 2.</typeparam>
    /// <typeparam name="T3">Type of argument 3.</typeparam>
    /// <typeparam name="T4">Type of argument 4.</typeparam>
    /// <typeparam name="T5">Type of argument 5.</typeparam>
    /// <typeparam name="T6">Type of argument 6.</typeparam>
    /// <typeparam name="T7">Type of argument 7.</typeparam>
    /// <typeparam name="T8">Type of argument 8.</typeparam>
    /// <param name="target">A static method, or a lambda that captures nothing.</param>
    /// <param name="arg1">Argument 1: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg2">Argument 2: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg3">Argument 3: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg4">Argument 4: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg5">Argument 5: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg6">Argument 6: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg7">Argument 7: a value, or a NativeIpc object (passed as a handle).</param>
    /// <param name="arg8">Argument 8: a value, or a NativeIpc object (passed as a handle).</param>
    /// <returns>The process, not yet started.</returns>
    /// <remarks>Python: <c>Process(target=f, args=(...))</c></remarks>
    public static IpcProcess Create<T1, T2, T3, T4, T5, T6, T7, T8>(Action<T1, T2, T3, T4, T5, T6, T7, T8> target, T1 arg1, T2 arg2, T3 arg3, T4 arg4, T5 arg5, T6 arg6, T7 arg7, T8 arg8) => new IpcProcess(target, [arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8]);
}
