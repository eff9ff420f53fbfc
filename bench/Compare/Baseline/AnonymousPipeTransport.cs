using System.Diagnostics;
using OsProcess = System.Diagnostics.Process;
using System.IO.Pipes;

namespace NativeIpc.Compare.Baseline;

/// <summary>System.IO.Pipes anonymous pipes to a child started with System.Diagnostics.Process, the pattern the
/// .NET docs show: the child gets the handles' strings on its command line. (An IpcProcess child cannot be used
/// here: NativeIpc's spawn closes every inherited descriptor it was not told about, on purpose.)</summary>
internal sealed class AnonymousPipeTransport : ITransport
{
    public const string ChildFlag = "--child-anonymous-pipe";

    public string Name => ".NET anon pipe";

    public ChildConnection Start(string role, int rounds, int count, int size)
    {
        var toChild = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
        var fromChild = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            psi.ArgumentList.Add(typeof(AnonymousPipeTransport).Assembly.Location);
        foreach (var a in new[] { ChildFlag, role, rounds.ToString(), count.ToString(), size.ToString(),
                     toChild.GetClientHandleAsString(), fromChild.GetClientHandleAsString() })
            psi.ArgumentList.Add(a);
        var process = OsProcess.Start(psi)!;
        toChild.DisposeLocalCopyOfClientHandle();
        fromChild.DisposeLocalCopyOfClientHandle();
        return new ChildConnection(fromChild, toChild, () =>
        {
            if (!process.WaitForExit(30_000)) process.Kill();
            VerifyExit(process.ExitCode);
        }, () => process.Kill(), process);
    }

    /// <summary>The child's Main: args after <see cref="ChildFlag"/>.</summary>
    public static int ChildMain(string[] args)
    {
        using var input = new AnonymousPipeClientStream(PipeDirection.In, args[4]);
        using var output = new AnonymousPipeClientStream(PipeDirection.Out, args[5]);
        StreamChild.Run(input, output, args[0], int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]));
        return 0;
    }

    private static void VerifyExit(int code)
    {
        if (code != 0) throw new InvalidOperationException($"Baseline child exited with code {code}.");
    }
}
