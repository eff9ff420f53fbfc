using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace NativeIpc.Process;

/// <summary>Names a child's target so another process can find it: assembly, type, method and parameter types.
/// Only static methods and lambdas that capture nothing qualify: a child has none of the parent's objects.</summary>
internal sealed record TargetMethod(string AssemblyName, string AssemblyPath, string TypeName, string MethodName, string[] ParameterTypes)
{
    public string DisplayName => $"{TypeName}.{MethodName}";

    /// <summary>Checks <paramref name="target"/> and describes it; throws <see cref="ArgumentException"/> saying what to change.</summary>
    public static TargetMethod Describe(Delegate target, out ParameterInfo[] parameters)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.HasSingleTarget == false)
            throw new ArgumentException("The target is a multicast delegate; pass a single static method or lambda.", nameof(target));
        var m = target.Method;
        var declaring = m.DeclaringType
            ?? throw new ArgumentException("The target is a dynamic method; a child process cannot find it. Use a static method.", nameof(target));
        if (!m.IsStatic)
        {
            // Judged by the closure's class, not its fields: field metadata is trimmed under NativeAOT (which then
            // accepted a capturing lambda and ran it on default values).
            var closure = target.Target?.GetType();
            bool compilerGenerated = closure is not null && closure.IsDefined(typeof(CompilerGeneratedAttribute), false);
            if (!compilerGenerated)
                throw new ArgumentException(
                    $"The target '{declaring.Name}.{m.Name}' is an instance method: a child process has no copy of the object it runs on. " +
                    "Use a static method, or a lambda that captures nothing, and pass what it needs as arguments.", nameof(target));
            if (!IsCaptureFreeClosure(closure!))
                throw new ArgumentException(
                    $"The target lambda (in '{closure!.DeclaringType?.Name}') captures variables: a child process cannot see captured variables. " +
                    "Make the lambda 'static' and pass those values as arguments, e.g. IpcProcess.Start(static (int n) => Work(n), n).", nameof(target));
        }
        if (m.IsGenericMethod || declaring.ContainsGenericParameters || declaring.IsGenericType)
            throw new ArgumentException($"The target '{declaring.Name}.{m.Name}' is generic; use a non-generic static method.", nameof(target));
        if (declaring.Assembly.IsDynamic || declaring.Assembly.IsCollectible)
            throw new ArgumentException($"The target's assembly '{declaring.Assembly.GetName().Name}' is dynamic or collectible; a child process cannot load it.", nameof(target));
        parameters = m.GetParameters();
        foreach (var p in parameters)
            if (p.ParameterType.IsByRef)
                throw new ArgumentException($"Parameter '{p.Name}' of the target is passed by reference; a child process cannot write back to the parent.", nameof(target));
        return new TargetMethod(declaring.Assembly.FullName!, AssemblyFiles.PathOf(declaring.Assembly), declaring.FullName!, m.Name,
            parameters.Select(p => p.ParameterType.FullName ?? p.ParameterType.Name).ToArray());
    }

    /// <summary>True for the class C# puts capture-free lambdas on (<c>&lt;&gt;c</c>, one singleton, no instance
    /// fields); a lambda that captures lives on a display class (<c>&lt;&gt;c__DisplayClass…</c>) holding the captures.</summary>
    internal static bool IsCaptureFreeClosure(Type closure)
        => closure.Name == "<>c" && closure.IsNested && closure.IsDefined(typeof(CompilerGeneratedAttribute), false);

    /// <summary>Checks that <paramref name="args"/> fit <paramref name="parameters"/> in count and type, before anything is sent.</summary>
    /// <exception cref="ArgumentException">They do not; the message names the argument.</exception>
    public void CheckArguments(ParameterInfo[] parameters, object?[] args, string paramName)
    {
        if (args.Length != parameters.Length)
            throw new ArgumentException($"Target '{DisplayName}' takes {parameters.Length} arguments; {args.Length} were given.", paramName);
        for (int i = 0; i < parameters.Length; i++)
        {
            var pt = parameters[i].ParameterType;
            if (args[i] is { } a ? !pt.IsInstanceOfType(a) : pt.IsValueType && Nullable.GetUnderlyingType(pt) is null)
                throw new ArgumentException(
                    $"Argument {i + 1} ('{parameters[i].Name}') of '{DisplayName}' must be a {pt.Name}; got {(args[i] is null ? "null" : args[i]!.GetType().Name)}.", paramName);
        }
    }

    public void Write(BinaryWriter w)
    {
        w.Write(AssemblyName); w.Write(AssemblyPath); w.Write(TypeName); w.Write(MethodName);
        w.Write(ParameterTypes.Length);
        foreach (var p in ParameterTypes) w.Write(p);
    }

    public static TargetMethod Read(BinaryReader r)
    {
        string a = r.ReadString(), path = r.ReadString(), t = r.ReadString(), m = r.ReadString();
        var ps = new string[r.ReadInt32()];
        for (int i = 0; i < ps.Length; i++) ps[i] = r.ReadString();
        return new TargetMethod(a, path, t, m, ps);
    }

    /// <summary>In the child: finds the method (and, for a lambda, its closure singleton).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The target was named by the same binary.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The target was named by the same binary.")]
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "The target was named by the same binary.")]
    public (MethodInfo Method, object? Instance) Resolve()
    {
        Assembly asm;
        try
        {
            asm = LoadedAssembly() ?? LoadAssembly();
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or IOException)
        {
            throw new IpcChildStartException(
                $"Target '{DisplayName}' not found in the child: assembly '{AssemblyName}' could not be loaded " +
                $"(looked for '{AssemblyPath}'; was it moved or deleted?): {e.Message}", e);
        }
        var type = asm.GetType(TypeName, throwOnError: false)
            ?? throw new IpcChildStartException($"Target '{DisplayName}' not found in the child: assembly '{asm.GetName().Name}' has no type '{TypeName}'.");
        var method = FindMethod(type)
            ?? throw new IpcChildStartException($"Target '{DisplayName}({string.Join(", ", ParameterTypes)})' not found in the child: the assembly it loaded differs from the parent's.");
        object? instance = null;
        if (!method.IsStatic)
        {
            // Only a capture-free lambda runs on an instance: the compiler's singleton. Its class has no fields, so a
            // fresh instance is the same when the singleton field was trimmed away (NativeAOT).
            if (!IsCaptureFreeClosure(type))
                throw new IpcChildStartException($"Target '{DisplayName}' is not a static method or capture-free lambda; it was refused.");
            instance = type.GetField("<>9", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(null)
                ?? RuntimeHelpers.GetUninitializedObject(type);
        }
        return (method, instance);
    }

    // Plain loops rather than LINQ here: this runs in every child before its target, and System.Linq is an assembly
    // load plus JIT-compiled generic instantiations (~10 ms of an empty target's start).
    private Assembly? LoadedAssembly()
    {
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies())
            if (a.FullName == AssemblyName) return a;
        return null;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The target was named by the same binary.")]
    private MethodInfo? FindMethod(Type type)
    {
        foreach (var mi in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
        {
            if (mi.Name != MethodName) continue;
            var ps = mi.GetParameters();
            if (ps.Length != ParameterTypes.Length) continue;
            bool same = true;
            for (int i = 0; i < ps.Length && same; i++)
                same = (ps[i].ParameterType.FullName ?? ps[i].ParameterType.Name) == ParameterTypes[i];
            if (same) return mi;
        }
        return null;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Loading the parent's own assembly by path is the point.")]
    private Assembly LoadAssembly()
    {
        try { return Assembly.Load(new AssemblyName(AssemblyName)); }
        catch (FileNotFoundException) when (File.Exists(AssemblyPath)) { return Assembly.LoadFrom(AssemblyPath); }
    }
}
