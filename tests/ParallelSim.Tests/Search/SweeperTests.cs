using ParallelSim.Cli.Output;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Search;
using static ParallelSim.Tests.Search.TinyModels;

namespace ParallelSim.Tests.Search;

public class SweeperTests
{
    private static SweepRequest Request(params int[] gpus) => new(Tiny, Node, gpus, new PlanFixed(12));

    private static string Csv(SweepResult r)
    {
        var w = new StringWriter();
        SweepExport.WriteCsv(r, w);
        return w.ToString();
    }

    [Theory]
    [InlineData(Objective.StepTime)]
    [InlineData(Objective.TokensPerSecond)]
    [InlineData(Objective.Mfu)]
    [InlineData(Objective.Cost)]
    public void Fitting_plans_are_ranked_by_the_objective(Objective objective)
    {
        var r = new Sweeper().Run(Request(4, 6, 12) with { Objective = objective, PricePerGpuHour = 2.0 });
        double Key(EvaluatedPlan e) => objective switch
        {
            Objective.StepTime => e.Metrics.StepSeconds,
            Objective.TokensPerSecond => -e.Metrics.TokensPerSecond,
            Objective.Mfu => -e.Metrics.Mfu,
            _ => 2.0 * e.Gpus / e.Metrics.TokensPerSecond,
        };
        var keys = r.Ranked.Select(i => Key(r.Evaluated[i]!)).ToArray();
        Assert.True(keys.Length > 100);
        Assert.Equal(keys.Order().ToArray(), keys);
        Assert.Equal(r.Fitting, r.Ranked.Count);
        Assert.All(r.Ranked, i => Assert.True(r.Evaluated[i]!.Fits));
    }

    [Fact]
    public void Objectives_disagree_when_gpu_counts_differ()
    {
        var fastest = new Sweeper().Run(Request(4, 12) with { Objective = Objective.TokensPerSecond }).Best!;
        var cheapest = new Sweeper().Run(Request(4, 12) with { Objective = Objective.Cost, PricePerGpuHour = 1 }).Best!;
        Assert.NotEqual(fastest.Plan, cheapest.Plan);
        Assert.True(fastest.Metrics.TokensPerSecond > cheapest.Metrics.TokensPerSecond);
    }

    [Fact]
    public void The_same_sweep_gives_the_same_csv_on_one_core_and_on_all()
    {
        var one = new Sweeper().Run(Request(6, 12) with { MaxDegreeOfParallelism = 1 });
        var all = new Sweeper().Run(Request(6, 12));
        Assert.Equal(Csv(one), Csv(all));
    }

    [Fact]
    public void The_refiner_reruns_exactly_the_best_k_and_its_numbers_decide_their_order()
    {
        int calls = 0;
        ParallelPlan? penalised = null;
        SimulationResult Refine(ModelSpec m, ClusterSpec c, ParallelPlan p, CostOptions o)
        {
            Interlocked.Increment(ref calls);
            var r = Evaluator.Evaluate(m, c, p, o);
            // make the screen's winner 10x slower in the refined run: it must lose its first place
            return p == penalised ? r with { Time = r.Time with { Step = r.Time.Step * 10 } } : r;
        }
        var screenedBest = new Sweeper().Run(Request(12) with { RefineTop = 0 }).Best!;
        penalised = screenedBest.Plan;
        var r = new Sweeper(refine: Refine).Run(Request(12) with { RefineTop = 5 });
        Assert.Equal(5, calls);
        Assert.Equal(5, r.Evaluated.Count(e => e is { Refined: true }));
        Assert.NotEqual(penalised, r.Best!.Plan);
        Assert.True(r.Best.Refined);
        Assert.All(r.Ranked.Take(5), i => Assert.True(r.Evaluated[i]!.Refined));
    }

    [Fact]
    public void Plans_above_capacity_less_headroom_are_out_of_memory_with_the_reason()
    {
        var none = new Sweeper().Run(Request(12) with { Headroom = 0 });
        var high = new Sweeper().Run(Request(12) with { Headroom = 0.999 });
        Assert.Equal(none.Plans.Count, none.Fitting);
        Assert.Equal(0, high.Fitting);
        var oom = high.Evaluated.First()!;
        Assert.Equal(PlanStatus.OutOfMemory, oom.Status);
        Assert.Contains("less 99.9% headroom", oom.Reason);
        Assert.Null(high.Best);
    }

    [Fact]
    public void Cancelling_stops_early_and_ranks_what_was_screened()
    {
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => { if (p.Phase == "screening" && p.Done > 0) cts.Cancel(); });
        var r = new Sweeper().Run(Request(4, 6, 12) with { MaxDegreeOfParallelism = 1 }, progress, cts.Token);
        Assert.True(r.Cancelled);
        Assert.InRange(r.Screened, 1, r.Plans.Count - 1);
        Assert.All(r.Ranked, i => Assert.NotNull(r.Evaluated[i]));
        Assert.NotNull(r.Best);
    }

    [Fact]
    public void The_pareto_front_only_keeps_gpu_counts_that_train_faster()
    {
        var r = new Sweeper().Run(Request(2, 4, 6, 12) with { TokenBudget = 1e9 });
        Assert.Equal([2, 4, 6, 12], r.Pareto.Select(p => p.Gpus));
        double fastest = double.PositiveInfinity;
        foreach (var p in r.Pareto)
        {
            Assert.Equal(p.TimeToTrainSeconds < fastest, p.OnFront);
            fastest = Math.Min(fastest, p.TimeToTrainSeconds);
            Assert.Equal(1e9 / p.TokensPerSecond, p.TimeToTrainSeconds, 9);
        }
    }

    /// <summary>IProgress that runs on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<SweepProgress> action) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value) => action(value);
    }
}

public class SweepCultureTests
{
    [Fact]
    public void Csv_and_report_numbers_do_not_depend_on_the_culture()
    {
        var req = new SweepRequest(TinyModels.Tiny, TinyModels.Node, [12], new PlanFixed(12)) { Headroom = 0.999 };
        string Run()
        {
            var r = new Sweeper().Run(req);
            var w = new StringWriter();
            ParallelSim.Cli.Output.SweepExport.WriteCsv(r, w);
            return w.ToString() + string.Concat(r.Evaluated.Where(e => e is { Fits: false }).Take(3).Select(e => e!.Reason));
        }
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        string invariant, comma;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
            invariant = Run();
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("1,5", 1.5.ToString()); // the culture really writes decimal commas, so the comparison means something
            comma = Run();
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = saved; }
        Assert.Contains("GiB", invariant);
        Assert.Equal(invariant, comma);
    }
}
