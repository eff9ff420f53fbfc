using System.Runtime.Versioning;

// Every type here calls kernel32; the analyzer then flags callers that forget their OperatingSystem.IsWindows() guard.
[assembly: SupportedOSPlatform("windows")]
