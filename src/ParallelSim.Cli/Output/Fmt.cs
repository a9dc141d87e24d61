using System.Globalization;

namespace ParallelSim.Cli.Output;

/// <summary>Invariant-culture number formatting, one place.</summary>
public static class Fmt
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    public static string F(double v, int decimals = 2) => v.ToString("F" + decimals, C);
    public static string N(long v) => v.ToString("N0", C);
    public static string Pct(double fraction, int decimals = 1) => (fraction * 100).ToString("F" + decimals, C) + "%";
    public static string Sig(double v, int digits = 4) => v.ToString("G" + digits, C);
}
