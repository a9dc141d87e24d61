using ParallelSim.Core.Stack;

namespace ParallelSim.Core.Fitting;

/// <summary>The factors of a <see cref="StackSpec"/> that `calibrate stack` can fit: GEMM derate, attention derate, NIC efficiency.</summary>
public enum StackFactor { Gemm, Attention, Nic }

/// <summary>Names, bounds and access of the <see cref="StackFactor"/>s.</summary>
public static class StackFactorInfo
{
    public static readonly StackFactor[] All = [StackFactor.Gemm, StackFactor.Attention, StackFactor.Nic];

    /// <summary>The names typed in --free.</summary>
    public static readonly IReadOnlyDictionary<string, StackFactor> Names = new Dictionary<string, StackFactor>(StringComparer.OrdinalIgnoreCase)
    {
        ["gemm"] = StackFactor.Gemm, ["attention"] = StackFactor.Attention, ["nic"] = StackFactor.Nic,
    };

    public static string Name(StackFactor f) => Names.First(kv => kv.Value == f).Key;

    /// <summary>The key of the factor in a stack JSON (configs/stacks/*.json).</summary>
    public static string JsonKey(StackFactor f) => f switch
    {
        StackFactor.Gemm => "gemmDerate",
        StackFactor.Attention => "attentionDerate",
        _ => "nicEfficiency",
    };

    /// <summary>
    /// Where a fit may put the factor (issue 11 point 3): derates 0.3 to 1.5 (a kernel at 30% to 150% of the measured curve; the curve's
    /// maximum is still capped at 1 by <see cref="StackSpec.On"/>), the NIC 5% to 100% of its line rate (a fraction cannot exceed 1).
    /// </summary>
    public static (double Min, double Max) Bounds(StackFactor f) => f == StackFactor.Nic ? (0.05, 1.0) : (0.3, 1.5);

    public static double Of(StackSpec s, StackFactor f) => f switch
    {
        StackFactor.Gemm => s.GemmDerate,
        StackFactor.Attention => s.AttentionDerate,
        _ => s.NicEfficiency,
    };

    public static StackSpec With(StackSpec s, StackFactor f, double v) => f switch
    {
        StackFactor.Gemm => s with { GemmDerate = v },
        StackFactor.Attention => s with { AttentionDerate = v },
        _ => s with { NicEfficiency = v },
    };

    public static double Clamp(StackFactor f, double v) => Math.Clamp(v, Bounds(f).Min, Bounds(f).Max);
}

/// <summary>Fitted values of the free factors; a factor without a value keeps each case's own (it was not fitted).</summary>
public sealed record StackFactors(double? Gemm = null, double? Attention = null, double? Nic = null)
{
    public static StackFactors None { get; } = new();

    public double? this[StackFactor f] => f switch
    {
        StackFactor.Gemm => Gemm,
        StackFactor.Attention => Attention,
        _ => Nic,
    };

    public StackFactors With(StackFactor f, double? v) => f switch
    {
        StackFactor.Gemm => this with { Gemm = v },
        StackFactor.Attention => this with { Attention = v },
        _ => this with { Nic = v },
    };

    /// <summary>A case's stack with these factors in place of its own: caseStack with { GemmDerate = g, AttentionDerate = a, NicEfficiency = n }.</summary>
    public StackSpec Apply(StackSpec stack)
    {
        foreach (var f in StackFactorInfo.All)
            if (this[f] is double v) stack = StackFactorInfo.With(stack, f, v);
        return stack;
    }
}
