namespace ParallelSim.Core.Hardware;

/// <summary>Where a number comes from: a citation and the place in it (table, section, file).</summary>
public sealed record Source(string Citation, string Locator = "")
{
    public static Source Derived(string how) => new("derived", how);
    public override string ToString() => Locator.Length == 0 ? Citation : $"{Citation}, {Locator}";
}
