using System.Globalization;
using ParallelSim.Plotting;
using ParallelSim.Search;

namespace ParallelSim.Cli.Output;

/// <summary>A sweep's result as heatmap cells (tp by pp) and Pareto points, for the plotting project.</summary>
public static class SweepPlotAdapter
{
    /// <summary>The objective as a user reads it: step time in s, tokens/s, MFU in %, dollars (or GPU-hours) per million tokens.</summary>
    public static (string Label, Func<PlanMetrics, long, double> Value) Objective(SweepResult r)
    {
        var ranking = r.Ranking;
        return ranking.Objective switch
        {
            Search.Objective.StepTime => ("step time (s), lower is better", (m, _) => m.StepSeconds),
            Search.Objective.TokensPerSecond => ("tokens/s", (m, _) => m.TokensPerSecond),
            Search.Objective.Mfu => ("MFU (%)", (m, _) => m.Mfu * 100),
            _ => (ranking.PricePerGpuHour is null ? "GPU-hours per million tokens, lower is better" : "$ per million tokens, lower is better",
                (m, g) => ranking.DollarsPerToken(m, g) * 1e6),
        };
    }

    /// <summary>
    /// For the first GPU count swept: the best fitting plan's objective in each (tp, pp) cell; "oom" where plans
    /// exist but none fits, "invalid" where the sweep had no valid plan with that tp and pp.
    /// </summary>
    public static IReadOnlyList<HeatmapCell> Heatmap(SweepResult r)
    {
        int gpus = r.Request.GpuCounts[0];
        var (_, value) = Objective(r);
        var best = new Dictionary<(int Tp, int Pp), (double Score, double Value)>();
        var seen = new HashSet<(int, int)>();
        var tps = new SortedSet<int>(); var pps = new SortedSet<int>();
        for (int i = 0; i < r.Plans.Count; i++)
        {
            var plan = r.Plans[i];
            if (plan.Gpus != gpus) continue;
            tps.Add(plan.Tp); pps.Add(plan.Pp);
            if (r.Evaluated[i] is not { } e) continue;
            seen.Add((plan.Tp, plan.Pp));
            if (!e.Fits) continue;
            double score = r.Ranking.Score(e.Metrics, e.Gpus);
            if (!best.TryGetValue((plan.Tp, plan.Pp), out var b) || score < b.Score)
                best[(plan.Tp, plan.Pp)] = (score, value(e.Metrics, e.Gpus));
        }
        var cells = new List<HeatmapCell>();
        foreach (int tp in tps)
            foreach (int pp in pps)
                cells.Add(best.TryGetValue((tp, pp), out var b) ? new HeatmapCell(tp, pp, b.Value, "ok")
                    : new HeatmapCell(tp, pp, null, seen.Contains((tp, pp)) ? "oom" : "invalid"));
        return cells;
    }

    public static IReadOnlyList<Plotting.ParetoPoint> Pareto(SweepResult r) =>
        r.Pareto.Select(p =>
        {
            var plan = r.Plans[p.PlanIndex];
            return new Plotting.ParetoPoint(p.Gpus, p.TimeToTrainSeconds / 86400,
                string.Create(CultureInfo.InvariantCulture, $"tp{plan.Tp} pp{plan.Pp} dp{plan.Dp}"), p.OnFront);
        }).ToArray();
}
