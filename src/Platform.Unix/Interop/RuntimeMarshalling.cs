// Every import of this assembly is a [LibraryImport] with blittable parameters: with runtime marshalling off, Crossgen2
// compiles their native calls into the ReadyToRun image instead of leaving an IL stub for the JIT at first call (a
// child's start runs several of them before its target).
[assembly: System.Runtime.CompilerServices.DisableRuntimeMarshalling]
