using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Search;

/// <summary>The valid plans of one GPU count, in a fixed order, and what was cut off and why.</summary>
public sealed record PlanSpaceResult(int Gpus, IReadOnlyList<ParallelPlan> Plans, IReadOnlyList<RejectedPlan> Rejected);

/// <summary>
/// Enumerates every valid plan for a model on a GPU count: tp, pp, cp (dp follows), ZeRO stage,
/// micro-batch, schedule, vpp, recompute, sequence parallelism. The divisibility rules of
/// <see cref="PlanValidator"/> are applied at the outermost loop they depend on, so an invalid choice
/// cuts its whole subtree at once and is recorded once. Equivalent and unsupported plans
/// (<see cref="SweepRules"/>) are left out unless <c>keepEquivalent</c> is set, which then gives
/// exactly the plans PlanValidator accepts with each pp's <see cref="StageLayers.DefaultSplit"/>: layers split evenly,
/// or, for a pp that does not divide the layers but divides layers + 2, the first and last stage one layer fewer
/// (the embedding and the loss counted as layers). Other uneven splits are not swept.
/// </summary>
public static class PlanSpace
{
    private static readonly ScheduleKind[] AllSchedules = [ScheduleKind.GPipe, ScheduleKind.OneFOneB, ScheduleKind.Interleaved,
        ScheduleKind.ZeroBubbleH1, ScheduleKind.ZeroBubbleH2, ScheduleKind.DualPipeV];
    private static readonly ZeroStage[] AllZero = [ZeroStage.None, ZeroStage.OptimizerStates, ZeroStage.Gradients, ZeroStage.Parameters];
    private static readonly RecomputeMode[] AllRecompute = [RecomputeMode.None, RecomputeMode.Selective, RecomputeMode.Full];
    private static readonly bool[] AllSp = [false, true];

    public static PlanSpaceResult Enumerate(ModelSpec m, ClusterSpec cluster, PlanFixed fix, SweepDimensions dims, bool keepEquivalent = false)
    {
        int g = cluster.Gpus, gb = fix.GlobalBatch;
        var plans = new List<ParallelPlan>();
        var rejected = new List<RejectedPlan>();
        if (g < 1 || gb < 1)
        {
            rejected.Add(new RejectedPlan(g, $"gpus ({g}) and global-batch ({gb}) must be at least 1"));
            return new PlanSpaceResult(g, plans, rejected);
        }

        var tps = new List<int>();
        foreach (int tp in dims.Tp ?? Divisors(g))
        {
            string? why = tp < 1 ? $"tp must be at least 1 (got {tp})"
                : g % tp != 0 ? $"tp ({tp}) must divide the GPU count ({g})"
                : m.Heads % tp != 0 ? $"heads ({m.Heads}) must be divisible by tp ({tp})"
                : m.KvHeads % tp != 0 && tp % m.KvHeads != 0 ? $"kv-heads ({m.KvHeads}) must be divisible by tp ({tp}) (or tp by kv-heads, replicating K and V)"
                : m.FfnHidden % tp != 0 ? $"ffn-hidden ({m.FfnHidden}) must be divisible by tp ({tp})"
                : null;
            if (why is not null) { rejected.Add(new RejectedPlan(g, why, Tp: tp)); continue; }
            if (dims.MaxTp is int max && tp > max) continue; // a restriction the user asked for, not a flaw
            tps.Add(tp);
        }
        var pps = new List<int>();
        foreach (int pp in dims.Pp ?? Divisors(g))
        {
            // a pp the even split cannot take is kept when the embedding and the loss counted as layers can (StageLayers.DefaultSplit)
            string? why = pp < 1 ? $"pp must be at least 1 (got {pp})"
                : g % pp != 0 ? $"pp ({pp}) must divide the GPU count ({g})"
                : m.Layers % pp != 0 && StageLayers.DefaultSplit(m.Layers, pp) is null
                    ? $"layers ({m.Layers}) must be divisible by pp ({pp}), or layers + 2 ({m.Layers + 2}) with the embedding and the loss counted as layers"
                : null;
            if (why is not null) rejected.Add(new RejectedPlan(g, why, Pp: pp)); else pps.Add(pp);
        }
        var cps = new List<int>();
        foreach (int cp in dims.Cp ?? Divisors(g))
        {
            string? why = cp < 1 ? $"cp must be at least 1 (got {cp})"
                : g % cp != 0 ? $"cp ({cp}) must divide the GPU count ({g})"
                : cp > 1 && m.SeqLength % (2 * cp) != 0 ? $"seq-length ({m.SeqLength}) must be divisible by 2 x cp ({2 * cp}) for load-balanced context parallelism"
                : null;
            if (why is not null) rejected.Add(new RejectedPlan(g, why, Cp: cp)); else cps.Add(cp);
        }
        var zeros = dims.Zero ?? AllZero;
        var schedules = dims.Schedule ?? AllSchedules;
        var recomputes = dims.Recompute ?? AllRecompute;
        var sps = dims.SequenceParallel ?? AllSp;

        foreach (int tp in tps)
        {
            bool spAllowed = m.SeqLength % tp == 0;
            if (!spAllowed && sps.Contains(true))
                rejected.Add(new RejectedPlan(g, $"seq-length ({m.SeqLength}) must be divisible by tp ({tp}) with sequence parallelism", Tp: tp, SequenceParallel: true));
            foreach (int pp in pps)
            foreach (int cp in cps)
            {
                var split = StageLayers.DefaultSplit(m.Layers, pp);
                long mp = (long)tp * pp * cp;
                if (g % mp != 0) continue; // tp x pp x cp must divide the GPUs: not a shape at all
                int dp = (int)(g / mp);
                if (dims.Dp is { } dpList && !dpList.Contains(dp)) continue;
                if (gb % dp != 0)
                {
                    rejected.Add(new RejectedPlan(g, $"global-batch ({gb}) must be divisible by dp ({dp})", tp, pp, dp, cp));
                    continue;
                }
                foreach (var zero in zeros)
                {
                    if (!keepEquivalent && dp == 1 && zero != ZeroStage.None) continue;
                    if (!keepEquivalent && zero >= ZeroStage.Gradients && pp > 1)
                    {
                        rejected.Add(new RejectedPlan(g, SweepRules.Unsupported(Shape(tp, pp, dp, cp, gb, zero))!, tp, pp, dp, cp, Zero: zero));
                        continue;
                    }
                    foreach (int mb in dims.MicroBatch ?? Divisors(gb / dp))
                    {
                        if (mb < 1 || gb % ((long)mb * dp) != 0)
                        {
                            rejected.Add(new RejectedPlan(g, $"global-batch ({gb}) must be divisible by micro-batch x dp ({mb} x {dp} = {(long)mb * dp})", tp, pp, dp, cp, MicroBatch: mb, Zero: zero));
                            continue;
                        }
                        int microBatches = gb / (mb * dp);
                        foreach (var schedule in schedules)
                        {
                            if (!keepEquivalent && pp == 1 && schedule != ScheduleKind.OneFOneB) continue;
                            if (schedule == ScheduleKind.Interleaved && microBatches % pp != 0)
                            {
                                rejected.Add(new RejectedPlan(g, $"the interleaved schedule needs micro-batches ({microBatches}) to be a multiple of pp ({pp})",
                                    tp, pp, dp, cp, MicroBatch: mb, Zero: zero, Schedule: schedule));
                                continue;
                            }
                            if (schedule == ScheduleKind.DualPipeV && microBatches < 2L * pp)
                            {
                                rejected.Add(new RejectedPlan(g, $"the dualpipev schedule needs at least 2 x pp micro-batches (pp {pp}: {2L * pp} or more; got {microBatches} = global-batch / (micro-batch x dp))",
                                    tp, pp, dp, cp, MicroBatch: mb, Zero: zero, Schedule: schedule));
                                continue;
                            }
                            foreach (int vpp in VppCandidates(m, pp, split, schedule, dims))
                            {
                                if (vpp < 1 || StageLayers.Problems(m.Layers, pp, vpp, split) is { Count: > 0 })
                                {
                                    rejected.Add(new RejectedPlan(g, vpp < 1 ? $"vpp must be at least 1 (got {vpp})" : string.Join("; ", StageLayers.Problems(m.Layers, pp, vpp, split)),
                                        tp, pp, dp, cp, vpp, mb, zero, Schedule: schedule));
                                    continue;
                                }
                                if (!keepEquivalent && schedule == ScheduleKind.Interleaved && vpp == 1) continue;
                                foreach (var recompute in recomputes)
                                foreach (bool sp in sps)
                                {
                                    if (sp && !spAllowed) continue; // recorded once per tp above
                                    if (!keepEquivalent && sp && tp == 1) continue;
                                    plans.Add(new ParallelPlan(tp, pp, dp, cp, vpp, mb, gb, zero, recompute, sp, schedule, fix.Precision, fix.FlashAttention, split));
                                }
                            }
                        }
                    }
                }
            }
        }
        return new PlanSpaceResult(g, plans, rejected);
    }

    /// <summary>
    /// vpp > 1 only with the interleaved schedule (open: the divisors of the layers per rank, with the embedding and loss when
    /// they count) and DualPipeV (2, its V; even splits only: the validator refuses an uneven one with the V).
    /// </summary>
    private static IEnumerable<int> VppCandidates(ModelSpec m, int pp, LayerSplit? split, ScheduleKind schedule, SweepDimensions dims)
    {
        if (schedule == ScheduleKind.DualPipeV) return split is null && (dims.Vpp is null || dims.Vpp.Contains(2)) ? [2] : [];
        if (schedule != ScheduleKind.Interleaved) return dims.Vpp is null || dims.Vpp.Contains(1) ? [1] : [];
        return dims.Vpp ?? Divisors((m.Layers + (split is null ? 0 : 2)) / pp);
    }

    private static ParallelPlan Shape(int tp, int pp, int dp, int cp, int gb, ZeroStage zero) =>
        new(tp, pp, dp, cp, 1, 1, gb, zero, RecomputeMode.None, false, ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true);

    /// <summary>The divisors of n, ascending.</summary>
    public static int[] Divisors(int n)
    {
        var small = new List<int>(); var large = new List<int>();
        for (int d = 1; (long)d * d <= n; d++)
            if (n % d == 0) { small.Add(d); if (d != n / d) large.Add(n / d); }
        large.Reverse();
        return [.. small, .. large];
    }
}
