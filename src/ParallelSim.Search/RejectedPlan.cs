using ParallelSim.Core.Parallelism;

namespace ParallelSim.Search;

/// <summary>
/// A part of the plan space cut off before evaluation, with the reason. Dimensions not yet chosen when
/// it was cut are null: one row stands for every plan below it.
/// </summary>
public sealed record RejectedPlan(
    int Gpus,
    string Reason,
    int? Tp = null,
    int? Pp = null,
    int? Dp = null,
    int? Cp = null,
    int? Vpp = null,
    int? MicroBatch = null,
    ZeroStage? Zero = null,
    RecomputeMode? Recompute = null,
    bool? SequenceParallel = null,
    ScheduleKind? Schedule = null);
