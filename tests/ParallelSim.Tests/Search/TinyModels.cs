using ParallelSim.Readers;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Search;

namespace ParallelSim.Tests.Search;

/// <summary>A model small enough to enumerate its whole plan space by brute force.</summary>
internal static class TinyModels
{
    /// <summary>6 layers, 6 heads (2 KV heads), seq 24: tp 4 is invalid, pp 4 is invalid, cp up to 12 is valid.</summary>
    public static readonly ModelSpec Tiny = new("tiny", Architecture.Gpt, Layers: 6, Hidden: 48, Heads: 6, KvHeads: 2, FfnHidden: 192,
        Vocab: 96, SeqLength: 24, TiedEmbeddings: true, new Source("test"));

    public static NodeSpec Node => Catalog.Default.Node("dgx-a100");

    /// <summary>
    /// Every plan PlanValidator accepts, found by trying every value of every dimension, with each pp's default layer split
    /// (StageLayers.DefaultSplit: even, or the embedding and loss counted as layers where pp divides only layers + 2).
    /// </summary>
    public static List<ParallelPlan> BruteForce(ModelSpec m, ClusterSpec c, int globalBatch, Func<ParallelPlan, bool>? keep = null)
    {
        var valid = new List<ParallelPlan>();
        int g = c.Gpus;
        for (int tp = 1; tp <= g; tp++)
        for (int pp = 1; pp <= g; pp++)
        for (int cp = 1; cp <= g; cp++)
        for (int dp = 1; dp <= g; dp++)
        {
            if ((long)tp * pp * cp * dp != g) continue; // the validator's GPU-count rule, checked first only to save time
            var split = StageLayers.DefaultSplit(m.Layers, pp);
            for (int vpp = 1; vpp <= m.Layers + 2; vpp++)
            for (int mb = 1; mb <= globalBatch; mb++)
            foreach (var schedule in Enum.GetValues<ScheduleKind>())
            foreach (var zero in Enum.GetValues<ZeroStage>())
            foreach (var recompute in Enum.GetValues<RecomputeMode>())
            foreach (bool sp in new[] { false, true })
            {
                var p = new ParallelPlan(tp, pp, dp, cp, vpp, mb, globalBatch, zero, recompute, sp, schedule, PrecisionPolicy.Megatron, true, split);
                if (PlanValidator.Validate(m, c, p).Any(i => i.Severity == Severity.Error)) continue;
                if (keep is null || keep(p)) valid.Add(p);
            }
        }
        return valid;
    }
}
