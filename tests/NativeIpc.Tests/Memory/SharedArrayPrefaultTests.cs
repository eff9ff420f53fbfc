using NUnit.Framework;

namespace NativeIpc.Tests.Memory;

/// <summary>SharedArray and SharedMemory map every page when they are created or attached, so the first write through
/// a fresh mapping takes no page fault per page (issue 14: a 64 MiB fill spent more time in 16k faults than copying).</summary>
[TestFixture]
[NonParallelizable] // counts this process's page faults
public class SharedArrayPrefaultTests
{
    private const int Pages = 4096; // 16 MiB

    [Test]
    public void Attach_ThenFill_TakesNoFaultPerPage()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("Linux: populated with MADV_POPULATE_WRITE");
        using var created = SharedArray<long>.Create(Pages * 4096 / sizeof(long));
        using var attached = SharedArray<long>.Attach(created.Name); // a fresh mapping, as a child gets
        long before = MinorFaults();
        attached.AsSpan().Fill(7);
        long faults = MinorFaults() - before;
        Assert.That(created[^1], Is.EqualTo(7));
        Assert.That(faults, Is.LessThan(Pages / 4), $"{faults} page faults while filling {Pages} pages through a fresh mapping");
    }

    [Test]
    public void SharedMemoryAttach_ThenWrite_TakesNoFaultPerPage()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("Linux: populated with MADV_POPULATE_WRITE");
        using var created = SharedMemory.Create(Pages * 4096L);
        using var attached = SharedMemory.Attach(created.Name);
        long before = MinorFaults();
        attached.AsSpan(0, (int)attached.Size).Fill(3);
        long faults = MinorFaults() - before;
        Assert.That(created.AsSpan(0, (int)created.Size)[^1], Is.EqualTo(3));
        Assert.That(faults, Is.LessThan(Pages / 4), $"{faults} page faults while writing {Pages} pages through a fresh mapping");
    }

    /// <summary>This process's minor page faults so far (field 10 of /proc/self/stat).</summary>
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture); // fields from state (3rd) on: minflt is 10th
    }
}
