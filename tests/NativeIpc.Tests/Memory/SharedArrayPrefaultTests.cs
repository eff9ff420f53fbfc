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

    [Test]
    public void LargeArray_IsMappedWithHugePages_WhereSharedMemoryAllowsThem()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("Linux: transparent huge pages for shared memory");
        if (!ShmemHugePagesAllowed(out string why)) Assert.Ignore("shared memory may not use huge pages here: " + why);
        using var created = SharedArray<long>.Create(Pages * 4096 / sizeof(long));
        using var attached = SharedArray<long>.Attach(created.Name); // a fresh mapping, as a child gets
        attached.AsSpan().Fill(5);
        long pmdKb = ShmemPmdMappedKb(created.Name);
        Assert.That(created[^1], Is.EqualTo(5));
        // Both mappings (created and attached): at least 14 of each one's 16 MiB in 2 MiB pages (the segment header and
        // the unaligned tail may keep an edge small).
        Assert.That(pmdKb, Is.GreaterThanOrEqualTo(2 * 14 * 1024), "kB of the segment mapped with huge pages (ShmemPmdMapped, both mappings)");
    }

    /// <summary>Linux grants shared memory huge pages where /dev/shm's mount says huge=advise, within_size or always, or
    /// shmem_enabled says force.</summary>
    private static bool ShmemHugePagesAllowed(out string why)
    {
        string sys = File.Exists("/sys/kernel/mm/transparent_hugepage/shmem_enabled") ? File.ReadAllText("/sys/kernel/mm/transparent_hugepage/shmem_enabled") : "";
        if (sys.Contains("[force]")) { why = ""; return true; }
        if (sys.Contains("[deny]")) { why = "shmem_enabled is deny"; return false; }
        var mount = File.ReadLines("/proc/mounts").Select(l => l.Split(' ')).LastOrDefault(f => f.Length > 3 && f[1] == "/dev/shm");
        string huge = mount?[3].Split(',').FirstOrDefault(o => o.StartsWith("huge=", StringComparison.Ordinal)) ?? "huge=never";
        why = $"/dev/shm is mounted {huge} (mount -o remount,huge=advise /dev/shm allows them)";
        return huge is "huge=advise" or "huge=always" or "huge=within_size";
    }

    /// <summary>Sum of ShmemPmdMapped over this process's mappings of the segment (kB).</summary>
    private static long ShmemPmdMappedKb(string segment)
    {
        long kb = 0;
        bool inSegment = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (line.Length > 0 && char.IsAsciiHexDigit(line[0]) && line.Contains('-')) inSegment = line.EndsWith("/" + segment, StringComparison.Ordinal);
            else if (inSegment && line.StartsWith("ShmemPmdMapped:", StringComparison.Ordinal))
                kb += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return kb;
    }

    /// <summary>This process's minor page faults so far (field 10 of /proc/self/stat).</summary>
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture); // fields from state (3rd) on: minflt is 10th
    }
}
