using System.Globalization;
using System.Text.RegularExpressions;
using ParallelSim.Core.Hardware;

namespace ParallelSim.Readers;

/// <summary>
/// Maps a GPU as papers and run lists write it ("A100-80GB", "H100 (80GB)", "A100-SXM-80GB (RoCE RDMA, up to 4 nodes)",
/// "V100") to a catalog entry: the same family (A100, H100, H200, V100, ...), the same memory when the text states one,
/// PCIe only when the text says so (else the SXM part, the usual training GPU), and when the memory is not stated the
/// family's largest-memory part. TPUs and families not in the catalog match nothing.
/// </summary>
public static partial class GpuNames
{
    /// <summary>The catalog GPU, or null with the reason none fits.</summary>
    public static (GpuSpec? Gpu, string Reason) Match(string text, Catalog catalog)
    {
        text = text.Trim();
        if (catalog.Gpus.TryGetValue(text, out var exact)) return (exact, "");
        if (text.Contains("TPU", StringComparison.OrdinalIgnoreCase)) return (null, $"GPU '{text}': TPUs are not modelled");

        var families = Families(text).ToArray();
        var candidates = catalog.Gpus.Values
            .Where(g => families.Any(f => Families(g.Name).Contains(f, StringComparer.OrdinalIgnoreCase)))
            .OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
        string known = string.Join(", ", catalog.Gpus.Keys.Order(StringComparer.OrdinalIgnoreCase));
        if (candidates.Count == 0) return (null, $"GPU '{text}' matches no catalog GPU (known: {known})");

        if (MemoryGb(text) is int gb)
        {
            candidates = candidates.Where(g => MemoryGb(g.Name) == gb || Math.Round(g.Memory.GiB) == gb || Math.Round(g.Memory.GB) == gb).ToList();
            if (candidates.Count == 0) return (null, $"GPU '{text}': no catalog GPU of that family has {gb} GB (known: {known})");
        }
        bool pcie = text.Contains("PCIe", StringComparison.OrdinalIgnoreCase);
        var form = candidates.Where(g => g.Name.Contains(pcie ? "PCIe" : "SXM", StringComparison.OrdinalIgnoreCase)).ToList();
        if (form.Count > 0) candidates = form;
        else if (pcie) return (null, $"GPU '{text}': no PCIe part of that family in the catalog (known: {known})");
        return (candidates.MaxBy(g => g.Memory.Value), "");
    }

    /// <summary>Model-number tokens: "A100", "H200", "4090" (of "RTX-4090"); not memory sizes ("141GB").</summary>
    private static IEnumerable<string> Families(string name) =>
        FamilyToken().Matches(name).Select(m => m.Groups[1].Value.ToUpperInvariant());

    private static int? MemoryGb(string name) =>
        MemoryToken().Match(name) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex(@"(?<![A-Za-z0-9])([A-Za-z]?\d{3,4})(?![0-9])(?!\s*Gi?B)", RegexOptions.IgnoreCase)]
    private static partial Regex FamilyToken();

    [GeneratedRegex(@"(?<![0-9])(\d{2,3})\s*Gi?B", RegexOptions.IgnoreCase)]
    private static partial Regex MemoryToken();
}
