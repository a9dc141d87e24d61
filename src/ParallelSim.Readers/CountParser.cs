using System.Globalization;

namespace ParallelSim.Readers;

/// <summary>Counts as people write them: 175e9, 175B, 300G, 1.4T, 7000M (K = 1e3, M = 1e6, B or G = 1e9, T = 1e12).</summary>
public static class CountParser
{
    public static double? Parse(string? text, string flag, List<string> problems)
    {
        if (text is null) return null;
        string t = text.Trim().Replace("_", "");
        double scale = 1;
        if (t.Length > 0 && char.IsLetter(t[^1]))
        {
            scale = char.ToUpperInvariant(t[^1]) switch { 'K' => 1e3, 'M' => 1e6, 'B' or 'G' => 1e9, 'T' => 1e12, _ => double.NaN };
            t = t[..^1];
        }
        if (!double.IsNaN(scale) && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && double.IsFinite(v))
            return v * scale;
        problems.Add($"{flag} '{text}' is not a positive count (examples: 175e9, 175B, 300B, 1.4T)");
        return null;
    }
}
