namespace ParallelSim.Search;

/// <summary>One GPU count's best plan for a token budget: how long and how many GPU-hours it takes.</summary>
public sealed record ParetoPoint(int Gpus, int PlanIndex, double TokensPerSecond, double TimeToTrainSeconds, double GpuHours, bool OnFront);

/// <summary>
/// GPUs against time to train a token budget: for each GPU count its fastest fitting plan; a count is on
/// the front when no smaller count trains as fast (more GPUs must buy time).
/// </summary>
public static class ParetoFront
{
    public static IReadOnlyList<ParetoPoint> Of(IReadOnlyList<EvaluatedPlan?> evaluated, IReadOnlyList<int> ranked, double tokens)
    {
        var bestByGpus = new SortedDictionary<int, int>();
        foreach (int i in ranked)
        {
            var e = evaluated[i]!;
            int g = (int)e.Gpus;
            if (!bestByGpus.TryGetValue(g, out int j) || e.Metrics.TokensPerSecond > evaluated[j]!.Metrics.TokensPerSecond) bestByGpus[g] = i;
        }
        var points = new List<ParetoPoint>();
        double fastest = double.PositiveInfinity;
        foreach (var (g, i) in bestByGpus)
        {
            double tps = evaluated[i]!.Metrics.TokensPerSecond, t = tokens / tps;
            bool on = t < fastest;
            if (on) fastest = t;
            points.Add(new ParetoPoint(g, i, tps, t, t * g / 3600.0, on));
        }
        return points;
    }
}
