using ParallelSim.Core.Parallelism;

namespace ParallelSim.Search;

/// <summary>A family of plans sharing one choice (no pipeline, ZeRO-3, TP across nodes, ...).</summary>
public sealed record PlanFamily(string Name, Func<ParallelPlan, bool> Contains);

/// <summary>The best plan of a family the overall best is not in, and how many of the family fit.</summary>
public sealed record FamilyComparison(PlanFamily Family, int? BestIndex, int Evaluated, int Fitting, double SmallestPeakBytes);

/// <summary>
/// The families a sweep's winner is compared with, to say why it wins: for each family the winner is
/// not in, the best plan of that family on the same GPU count.
/// </summary>
public static class Families
{
    public static IReadOnlyList<PlanFamily> For(int gpusPerNode) =>
    [
        new("no PP", p => p.Pp == 1),
        new("PP", p => p.Pp > 1),
        new("no TP", p => p.Tp == 1),
        new($"TP inside a node (<= {gpusPerNode})", p => p.Tp <= gpusPerNode),
        new($"TP across nodes (> {gpusPerNode})", p => p.Tp > gpusPerNode),
        new("ZeRO-3", p => p.Zero == ZeroStage.Parameters),
        new("DP only (no TP, PP, CP)", p => p.Tp == 1 && p.Pp == 1 && p.Cp == 1),
        new("no CP", p => p.Cp == 1),
        new("CP", p => p.Cp > 1),
        new("no recompute", p => p.Recompute == RecomputeMode.None),
        new("full recompute", p => p.Recompute == RecomputeMode.Full),
        new("selective recompute", p => p.Recompute == RecomputeMode.Selective),
        new("interleaved", p => p.Schedule == ScheduleKind.Interleaved && p.Pp > 1),
        new("1F1B", p => p.Schedule == ScheduleKind.OneFOneB && p.Pp > 1),
        new("ZB-H1", p => p.Schedule == ScheduleKind.ZeroBubbleH1 && p.Pp > 1),
        new("ZB-H2", p => p.Schedule == ScheduleKind.ZeroBubbleH2 && p.Pp > 1),
        new("DualPipeV", p => p.Schedule == ScheduleKind.DualPipeV && p.Pp > 1),
        new("no SP", p => !p.SequenceParallel),
    ];

    public static IReadOnlyList<FamilyComparison> Compare(SweepResult r)
    {
        if (r.Best is not { } best) return [];
        long gpus = best.Gpus;
        var result = new List<FamilyComparison>();
        foreach (var f in For(r.Request.Node.GpusPerNode))
        {
            if (f.Contains(best.Plan)) continue;
            int? bestIndex = null;
            foreach (int i in r.Ranked)
                if (r.Evaluated[i]!.Gpus == gpus && f.Contains(r.Evaluated[i]!.Plan)) { bestIndex = i; break; }
            int evaluated = 0, fitting = 0; double smallest = double.PositiveInfinity;
            for (int i = 0; i < r.Evaluated.Count; i++)
                if (r.Evaluated[i] is { } e && e.Gpus == gpus && f.Contains(e.Plan))
                {
                    evaluated++;
                    if (e.Fits) fitting++;
                    smallest = Math.Min(smallest, e.Metrics.PeakBytes);
                }
            result.Add(new FamilyComparison(f, bestIndex, evaluated, fitting, smallest));
        }
        return result;
    }
}
