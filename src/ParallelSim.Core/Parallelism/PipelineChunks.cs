namespace ParallelSim.Core.Parallelism;

/// <summary>
/// Which model chunks a pipeline rank holds: interleaved 1F1B's v chunks (chunk c of rank r is stage c·p + r) and
/// DualPipeV's two in a V (rank r holds stages r and 2p - 1 - r, so rank 0 holds the first and the last); one otherwise.
/// </summary>
public static class PipelineChunks
{
    /// <summary>Chunks per rank: vpp for interleaved, 2 for DualPipeV (the validator requires vpp 2), else 1.</summary>
    public static int PerRank(ParallelPlan plan) => plan.Schedule switch
    {
        ScheduleKind.Interleaved => Math.Max(1, plan.Vpp),
        ScheduleKind.DualPipeV => 2,
        _ => 1,
    };

    /// <summary>The (virtual) stage that chunk c of rank r runs, with p ranks.</summary>
    // interleaved: c·p + r (arXiv:2104.04473 §2.2.2); DualPipeV's V: chunk 0 is stage r, chunk 1 stage 2p - 1 - r
    public static int Stage(ParallelPlan plan, int p, int r, int c) =>
        plan.Schedule == ScheduleKind.DualPipeV ? (c == 0 ? r : 2 * p - 1 - r) : c * p + r;

    /// <summary>The rank that runs a (virtual) stage, with p ranks: the inverse of <see cref="Stage"/>.</summary>
    public static int Rank(ParallelPlan plan, int p, int stage) =>
        plan.Schedule == ScheduleKind.DualPipeV ? Math.Min(stage, 2 * p - 1 - stage) : stage % p;

    /// <summary>The rank that runs the loss (the last stage): p - 1, or rank 0 with DualPipeV's V.</summary>
    public static int LossRank(ParallelPlan plan) => plan.Schedule == ScheduleKind.DualPipeV ? 0 : plan.Pp - 1;
}
