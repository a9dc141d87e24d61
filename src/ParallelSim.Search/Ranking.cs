namespace ParallelSim.Search;

/// <summary>Scores plans by an objective: lower is better; ties keep the plan space's order.</summary>
public sealed class Ranking(Objective objective, double? pricePerGpuHour)
{
    public Objective Objective { get; } = objective;
    public double? PricePerGpuHour { get; } = pricePerGpuHour;

    public double Score(in PlanMetrics m, long gpus) => Objective switch
    {
        Objective.StepTime => m.StepSeconds,
        Objective.TokensPerSecond => -m.TokensPerSecond,
        Objective.Mfu => -m.Mfu,
        _ => DollarsPerToken(m, gpus),
    };

    /// <summary>Price x GPUs x seconds per token (0 without a price: cost then ranks like GPU-seconds per token).</summary>
    public double DollarsPerToken(in PlanMetrics m, long gpus) =>
        (PricePerGpuHour ?? 1.0) / 3600.0 * gpus / m.TokensPerSecond;

    /// <summary>Indices of the fitting plans sorted best first (stable: equal scores keep their order).</summary>
    public int[] Order(IReadOnlyList<EvaluatedPlan?> plans, Func<EvaluatedPlan, bool>? include = null)
    {
        var idx = new List<int>();
        for (int i = 0; i < plans.Count; i++)
            if (plans[i] is { Fits: true } p && (include is null || include(p))) idx.Add(i);
        var keys = new double[idx.Count];
        for (int k = 0; k < idx.Count; k++) keys[k] = Score(plans[idx[k]]!.Metrics, plans[idx[k]]!.Gpus);
        var arr = idx.ToArray();
        // sort by (score, index): deterministic whatever the sort algorithm
        var order = Enumerable.Range(0, arr.Length).ToArray();
        Array.Sort(order, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : arr[a].CompareTo(arr[b]));
        return order.Select(o => arr[o]).ToArray();
    }
}
