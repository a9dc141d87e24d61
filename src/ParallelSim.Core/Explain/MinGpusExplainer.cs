using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using static ParallelSim.Core.Explain.StepList;

namespace ParallelSim.Core.Explain;

/// <summary>
/// The fewest GPUs of one node type that hold a model's training state, for each ZeRO stage, with data
/// parallelism alone and with tensor/pipeline parallelism, each found with the same memory model as
/// `simulate`. Plans keep m = p micro-batches (the most 1F1B holds) and one micro-batch per step otherwise.
/// </summary>
public static class MinGpusExplainer
{
    public const int MaxGpus = 16384;

    /// <summary>A plan that fits, and its peak memory per GPU.</summary>
    public sealed record Found(ParallelPlan Plan, SimulationResult Result);

    public static Explanation Explain(ModelSpec m, NodeSpec node, ParallelPlan template, CostOptions o)
    {
        var s = new StepList();
        var u = ModelStateBytes.Unsharded(template.Precision);
        s.Add($"model states of {m.Name} ({E(m.Parameters)} params) at {u.Total} B/param ({ScheduleNames.Name(template.Precision)})", $"{u.Total}·N",
            u.Total * m.Parameters / 1e9, "GB", "ModelStateBytes");
        s.Add($"capacity of one {node.Gpu.Name}", "GPU spec", node.Gpu.Memory.Value / 1e9, "GB", "GPU spec");
        Found? best = null;
        foreach (var zero in Enum.GetValues<ZeroStage>())
        {
            var dpOnly = Smallest(m, node, template, o, zero, modelParallel: false);
            var any = Smallest(m, node, template, o, zero, modelParallel: true);
            foreach (var (label, f) in new[] { ("data parallel only", dpOnly), ("with TP/PP", any) })
            {
                if (f is null) { s.Note($"ZeRO {(int)zero}, {label}: no plan up to {MaxGpus} GPUs fits"); continue; }
                s.Add($"ZeRO {(int)zero}, {label}: {Describe(f.Plan)}, {F(f.Result.Memory.Peak.Value / 1e9, 1)} GB per GPU", "fewest GPUs that fit (simulated memory)",
                    f.Plan.Gpus, "GPUs", zero == ZeroStage.None ? "arXiv:1910.02054 Table 1 (baseline)" : "arXiv:1910.02054 Table 1");
                if (best is null || f.Plan.Gpus < best.Plan.Gpus || (f.Plan.Gpus == best.Plan.Gpus && f.Result.Time.Step < best.Result.Time.Step)) best = f;
            }
        }
        s.Note("ZeRO-2/3 are not combined with pipeline parallelism (Megatron and DeepSpeed do not support it); tp stays inside a node");
        if (best is null)
            return s.Answer("min-gpus", double.NaN, "GPUs", $"no plan up to {MaxGpus} {node.Gpu.Name} GPUs fits {m.Name}");
        return s.Answer("min-gpus", best.Plan.Gpus, "GPUs",
            $"{best.Plan.Gpus} x {node.Gpu.Name}: {Describe(best.Plan)} ({F(best.Result.Memory.Peak.Value / 1e9, 1)} GB of {F(node.Gpu.Memory.Value / 1e9, 1)} GB per GPU)");
    }

    public static string Describe(ParallelPlan p) =>
        $"tp {p.Tp}, pp {p.Pp}{(p.Split is { IsEven: false } s ? $" ({s})" : "")}, dp {p.Dp}, ZeRO {(int)p.Zero}";

    /// <summary>The smallest tp·pp·dp that fits under a ZeRO stage; ties go to the faster step.</summary>
    public static Found? Smallest(ModelSpec m, NodeSpec node, ParallelPlan template, CostOptions o, ZeroStage zero, bool modelParallel)
    {
        Found? best = null;
        var tps = modelParallel ? Enumerable.Range(0, 12).Select(k => 1 << k).Where(t => t <= node.GpusPerNode) : [1];
        // pipeline sizes that divide the layers, or layers + 2 with the first and last stage one layer fewer (StageLayers.DefaultSplit)
        var pps = modelParallel && zero <= ZeroStage.OptimizerStates
            ? Enumerable.Range(1, m.Layers).Where(p => m.Layers % p == 0 || StageLayers.DefaultSplit(m.Layers, p) is not null) : [1];
        foreach (int tp in tps)
            foreach (int pp in pps)
            {
                int maxDp = MaxGpus / (tp * pp);
                if (maxDp < 1 || !Valid(m, node, Plan(m, template, tp, pp, 1, zero))) continue;
                // memory falls (or stays) as dp grows: check the largest, then bisect for the smallest that fits
                if (Fits(m, node, template, o, tp, pp, maxDp, zero) is null) continue;
                int lo = 1, hi = maxDp;
                while (lo < hi)
                {
                    int mid = (lo + hi) / 2;
                    if (Fits(m, node, template, o, tp, pp, mid, zero) is not null) hi = mid; else lo = mid + 1;
                }
                var f = Fits(m, node, template, o, tp, pp, lo, zero)!;
                if (best is null || f.Plan.Gpus < best.Plan.Gpus || (f.Plan.Gpus == best.Plan.Gpus && f.Result.Time.Step < best.Result.Time.Step)) best = f;
            }
        return best;
    }

    private static ParallelPlan Plan(ModelSpec m, ParallelPlan t, int tp, int pp, int dp, ZeroStage zero) =>
        t with
        {
            Tp = tp, Pp = pp, Dp = dp, Cp = 1, Vpp = 1, Zero = zero, Schedule = ScheduleKind.OneFOneB, SequenceParallel = tp > 1,
            GlobalBatch = t.MicroBatch * dp * pp, Split = StageLayers.DefaultSplit(m.Layers, pp),
        };

    private static bool Valid(ModelSpec m, NodeSpec node, ParallelPlan plan) =>
        !PlanValidator.Validate(m, new ClusterSpec(node, (int)plan.Gpus), plan).Any(i => i.Severity == Severity.Error);

    private static Found? Fits(ModelSpec m, NodeSpec node, ParallelPlan template, CostOptions o, int tp, int pp, int dp, ZeroStage zero)
    {
        var plan = Plan(m, template, tp, pp, dp, zero);
        var r = Evaluator.Evaluate(m, new ClusterSpec(node, (int)plan.Gpus), plan, o);
        return r.Memory.Fits ? new Found(plan, r) : null;
    }
}
