using System.Collections.Concurrent;
using System.Diagnostics;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Search;

/// <summary>Progress of a sweep: plans done out of the total, in the phase named.</summary>
public readonly record struct SweepProgress(string Phase, long Done, long Total);

/// <summary>
/// Runs a sweep: enumerate the plan space of every GPU count, screen every plan on all cores, drop those
/// that do not fit with the headroom, re-run the best K through the refining evaluator, rank by the
/// objective. Each plan's result depends on that plan only and is stored at its index, so the outcome
/// is the same on any number of cores. Cancelling stops cleanly and ranks what was evaluated.
/// </summary>
public sealed class Sweeper
{
    private readonly PlanEvaluator _screen;
    private readonly PlanEvaluator _refine;

    /// <param name="screen">The fast path every plan goes through [default: Evaluator.Evaluate, the closed form].</param>
    /// <param name="refine">Re-runs the best K [default: the same analytical path; plug the event simulator in here].</param>
    public Sweeper(PlanEvaluator? screen = null, PlanEvaluator? refine = null)
    {
        _screen = screen ?? ((m, c, p, o) => Evaluator.Evaluate(m, c, p, o));
        _refine = refine ?? _screen;
    }

    /// <summary>True when a refining evaluator other than the screening one was given.</summary>
    public bool RefinesWithAnotherEvaluator => !ReferenceEquals(_screen, _refine);

    public SweepResult Run(SweepRequest req, IProgress<SweepProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var counts = req.GpuCounts.Distinct().Order().ToArray();
        var spaces = new PlanSpaceResult[counts.Length];
        var clusters = new Dictionary<int, ClusterSpec>();
        for (int k = 0; k < counts.Length; k++)
        {
            var cluster = new ClusterSpec(req.Node, counts[k]);
            clusters[counts[k]] = cluster;
            spaces[k] = PlanSpace.Enumerate(req.Model, cluster, req.Fixed, req.Dimensions, req.KeepEquivalent);
        }
        var plans = spaces.SelectMany(s => s.Plans).ToArray();
        var enumerate = clock.Elapsed;

        // screen: every plan on all cores, results stored by index
        clock.Restart();
        var evaluated = new EvaluatedPlan?[plans.Length];
        long done = 0;
        progress?.Report(new SweepProgress("screening", 0, plans.Length));
        var options = new ParallelOptions { MaxDegreeOfParallelism = req.MaxDegreeOfParallelism ?? -1 };
        int chunk = Math.Clamp(plans.Length / (64 * Environment.ProcessorCount), 16, 4096);
        // Partitioner.Create refuses an empty range: a space with no valid plan has nothing to screen
        if (plans.Length > 0) Parallel.ForEach(Partitioner.Create(0, plans.Length, chunk), options, (range, state) =>
        {
            for (int i = range.Item1; i < range.Item2; i++)
            {
                if (cancel.IsCancellationRequested) { state.Stop(); return; }
                var p = plans[i];
                evaluated[i] = Judge(req, _screen(req.Model, clusters[(int)p.Gpus], p, req.Costs), refined: false);
            }
            long now = Interlocked.Add(ref done, range.Item2 - range.Item1);
            progress?.Report(new SweepProgress("screening", now, plans.Length));
        });
        var screen = clock.Elapsed;

        // refine: the best K screened plans again, through the refining evaluator
        clock.Restart();
        var ranking = new Ranking(req.Objective, req.PricePerGpuHour);
        var screenedOrder = ranking.Order(evaluated);
        var top = screenedOrder.Take(Math.Max(0, req.RefineTop)).ToArray();
        if (!cancel.IsCancellationRequested && top.Length > 0)
        {
            progress?.Report(new SweepProgress("refining", 0, top.Length));
            var refined = new EvaluatedPlan?[top.Length];
            long refinedDone = 0;
            Parallel.For(0, top.Length, options, (k, state) =>
            {
                if (cancel.IsCancellationRequested) { state.Stop(); return; }
                var p = plans[top[k]];
                refined[k] = Judge(req, _refine(req.Model, clusters[(int)p.Gpus], p, req.Costs), refined: true);
                progress?.Report(new SweepProgress("refining", Interlocked.Increment(ref refinedDone), top.Length));
            });
            for (int k = 0; k < top.Length; k++)
                if (refined[k] is { } r) evaluated[top[k]] = r;
        }
        var refineTime = clock.Elapsed;

        // final order: the refined plans by their refined numbers, then the rest by their screened numbers
        var ranked = ranking.Order(evaluated, e => e.Refined).Concat(ranking.Order(evaluated, e => !e.Refined)).ToArray();
        var pareto = req.TokenBudget is double tokens && counts.Length > 0 ? ParetoFront.Of(evaluated, ranked, tokens) : [];
        return new SweepResult(req, spaces, plans, evaluated, ranked, pareto, cancel.IsCancellationRequested,
            new SweepTimings(enumerate, screen, refineTime));
    }

    /// <summary>The full result behind an evaluated plan, from the evaluator that produced its numbers.</summary>
    public SimulationResult Detail(SweepRequest req, EvaluatedPlan e) =>
        (e.Refined ? _refine : _screen)(req.Model, new ClusterSpec(req.Node, (int)e.Gpus), e.Plan, req.Costs);

    /// <summary>Status with the headroom: ok when the peak is at most capacity x (1 - headroom), else out of memory with the numbers.</summary>
    public static EvaluatedPlan Judge(SweepRequest req, SimulationResult r, bool refined) =>
        new(r.Plan, PlanMetrics.From(r), refined, r.Cluster.Gpu.Memory.Value, req.Headroom);
}
