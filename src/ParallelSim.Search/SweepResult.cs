namespace ParallelSim.Search;

/// <summary>Wall-clock time of each phase of a sweep.</summary>
public readonly record struct SweepTimings(TimeSpan Enumerate, TimeSpan Screen, TimeSpan Refine)
{
    public TimeSpan Total => Enumerate + Screen + Refine;
}

/// <summary>
/// The outcome of a sweep. <see cref="Plans"/> lists every valid plan of every GPU count in plan-space
/// order, <see cref="Evaluated"/> their results at the same index (null when a Ctrl-C stopped the sweep
/// first), <see cref="Ranked"/> the indices of the fitting plans best first: the refined ones by their
/// refined numbers, then the others by their screened numbers.
/// </summary>
public sealed record SweepResult(
    SweepRequest Request,
    IReadOnlyList<PlanSpaceResult> Spaces,
    IReadOnlyList<Core.Parallelism.ParallelPlan> Plans,
    IReadOnlyList<EvaluatedPlan?> Evaluated,
    IReadOnlyList<int> Ranked,
    IReadOnlyList<ParetoPoint> Pareto,
    bool Cancelled,
    SweepTimings Timings)
{
    public Ranking Ranking => new(Request.Objective, Request.PricePerGpuHour);
    public int Screened => Evaluated.Count(e => e is not null);
    public int Fitting => Evaluated.Count(e => e is { Fits: true });
    public int OutOfMemory => Evaluated.Count(e => e is { Status: PlanStatus.OutOfMemory });
    public int RejectedRows => Spaces.Sum(s => s.Rejected.Count);
    public EvaluatedPlan? Best => Ranked.Count > 0 ? Evaluated[Ranked[0]] : null;
}
