using ParallelSim.Core.Parallelism;

namespace ParallelSim.Search;

/// <summary>
/// Plans that PlanValidator accepts but a sweep lists once or not at all: those the cost model cannot
/// tell from another plan (equivalent), and combinations the training frameworks do not run
/// (unsupported). The plan space applies the same rules inside its loops; this plan-level form is the
/// reference the tests check the loops against.
/// </summary>
public static class SweepRules
{
    /// <summary>Why a valid plan is the same as another listed plan, or null when it is not.</summary>
    public static string? Equivalent(ParallelPlan p)
    {
        if (p.SequenceParallel && p.Tp == 1) return "sequence parallelism with tp 1 is the same plan without it";
        if (p.Pp == 1 && p.Schedule != ScheduleKind.OneFOneB) return "with pp 1 there is no pipeline: the schedule does not apply (listed as 1f1b)";
        if (p.Schedule == ScheduleKind.Interleaved && p.Vpp == 1) return "interleaved with vpp 1 is 1F1B";
        if (p.Dp == 1 && p.Zero != ZeroStage.None) return "ZeRO with dp 1 shards nothing";
        return null;
    }

    /// <summary>Why a valid plan is not run by Megatron-LM or DeepSpeed, or null.</summary>
    public static string? Unsupported(ParallelPlan p) =>
        p.Zero >= ZeroStage.Gradients && p.Pp > 1
            ? $"unsupported: ZeRO stage {(int)p.Zero} with pipeline parallelism (pp {p.Pp}) re-shards gradients every micro-batch; Megatron and DeepSpeed do not run it"
            : null;
}
