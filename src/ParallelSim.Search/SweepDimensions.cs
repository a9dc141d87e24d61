using ParallelSim.Core.Parallelism;

namespace ParallelSim.Search;

/// <summary>
/// Restrictions on each dimension of the plan space. A null list leaves the dimension open: every
/// value that can be valid (divisors of the GPU count, of the layers, of the batch) is tried.
/// </summary>
public sealed record SweepDimensions
{
    public IReadOnlyList<int>? Tp { get; init; }
    public IReadOnlyList<int>? Pp { get; init; }
    public IReadOnlyList<int>? Dp { get; init; }
    public IReadOnlyList<int>? Cp { get; init; }
    public IReadOnlyList<int>? Vpp { get; init; }
    public IReadOnlyList<int>? MicroBatch { get; init; }
    public IReadOnlyList<ZeroStage>? Zero { get; init; }
    public IReadOnlyList<RecomputeMode>? Recompute { get; init; }
    public IReadOnlyList<bool>? SequenceParallel { get; init; }
    public IReadOnlyList<ScheduleKind>? Schedule { get; init; }
    /// <summary>Largest tensor-parallel size allowed (e.g. 8 keeps TP inside a DGX node); null: no limit.</summary>
    public int? MaxTp { get; init; }

    public static SweepDimensions Open { get; } = new();
}

/// <summary>What every plan of a sweep shares besides the dimensions: global batch, precision, flash attention.</summary>
public sealed record PlanFixed(int GlobalBatch, PrecisionPolicy Precision = PrecisionPolicy.Megatron, bool FlashAttention = true);
