using NativeIpc;
using NativeIpc.Compare;

// Children of this app are this app (IpcProcess targets); harmless when it runs under the dotnet host.
Multiprocessing.FreezeSupport();
return CompareRunner.Run(args);
