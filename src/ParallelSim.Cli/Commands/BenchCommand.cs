using System.CommandLine;
using System.Diagnostics;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Units;
using ParallelSim.Schedules.Generators;
using ParallelSim.Schedules.Simulation;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Commands;

/// <summary>One measured benchmark line: what ran, how often, and the median and best time.</summary>
public sealed record BenchRow(string Benchmark, string Workload, int Runs, string Unit, double Median, double Best);

/// <summary>
/// `parallelsim bench [all|analytical|simulator]`: Stopwatch benchmarks after a warm-up, one static method
/// each: the analytical evaluation of one plan (ns per call) and the event simulator on a large
/// interleaved schedule (ms per phase, single-threaded).
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var which = new Argument<string>("which") { Description = "all|analytical|simulator", DefaultValueFactory = _ => "all" };
        which.AcceptOnlyFromAmong("all", "analytical", "simulator");
        var iterations = new Option<int>("--iterations") { Description = "Analytical: timed calls per batch (3 batches)", DefaultValueFactory = _ => 200_000 };
        var pp = new Option<int>("--pp") { Description = "Simulator: pipeline ranks", DefaultValueFactory = _ => 64 };
        var mb = new Option<int>("--micro-batches") { Description = "Simulator: micro-batches (a multiple of pp)", DefaultValueFactory = _ => 1024 };
        var vpp = new Option<int>("--vpp") { Description = "Simulator: model chunks per rank", DefaultValueFactory = _ => 4 };
        var runs = new Option<int>("--runs") { Description = "Simulator: timed runs after one warm-up", DefaultValueFactory = _ => 5 };
        var format = CommonOptions.Format();
        var cmd = new Command("bench", "Benchmarks: analytical evaluation of a plan (ns) and the pipeline event simulator (ms)")
            { which, iterations, pp, mb, vpp, runs, format };
        cmd.SetAction(r =>
        {
            string w = r.GetValue(which)!;
            int n = r.GetValue(iterations), p = r.GetValue(pp), m = r.GetValue(mb), v = r.GetValue(vpp), k = r.GetValue(runs);
            var problems = new List<string>();
            foreach (var (name, value) in new[] { ("--iterations", n), ("--pp", p), ("--micro-batches", m), ("--vpp", v), ("--runs", k) })
                if (value < 1) problems.Add($"{name} must be at least 1 (got {value})");
            if (problems.Count == 0 && w != "analytical" && m % p != 0)
                problems.Add($"--micro-batches ({m}) must be a multiple of --pp ({p}) for the interleaved schedule");
            if (problems.Count > 0) throw new UserInputException(problems);
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);

            var rows = new List<BenchRow>();
            if (w is "all" or "analytical") rows.Add(AnalyticalEvaluation(n));
            if (w is "all" or "simulator") rows.AddRange(Simulator(p, m, v, k));
            var table = new TextTable("Benchmarks (Stopwatch, after a warm-up)", "benchmark", "workload", "runs", "unit", "median", "best");
            foreach (int i in new[] { 2, 4, 5 }) table.RightAligned.Add(i);
            foreach (var row in rows)
                table.Add(row.Benchmark, row.Workload, N(row.Runs), row.Unit, F(row.Median, 1), F(row.Best, 1));
            r.InvocationConfiguration.Output.Write(table.Render(fmt == OutputFormat.Json ? OutputFormat.Csv : fmt));
            return 0;
        });
        return cmd;
    }

    /// <summary>Evaluator.Evaluate on GPT-3 175B, 64 A100s, tp 8, pp 8, interleaved, selective recompute: ns per call, 3 batches.</summary>
    public static BenchRow AnalyticalEvaluation(int iterations)
    {
        var catalog = Catalog.Default;
        var model = catalog.Model("gpt3-175b");
        var cluster = new ParallelSim.Core.Hardware.ClusterSpec(catalog.Node("dgx-a100"), 64);
        var plan = new ParallelPlan(8, 8, 1, 1, 3, 1, 64, ZeroStage.None, RecomputeMode.Selective, true, ScheduleKind.Interleaved, PrecisionPolicy.Megatron, true);
        var options = CostOptions.Default;
        double sink = 0;
        for (int i = 0; i < Math.Min(iterations, 10_000); i++) sink += Evaluator.Evaluate(model, cluster, plan, options).Time.Step.Value;
        var batches = new List<double>();
        for (int b = 0; b < 3; b++)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < iterations; i++) sink += Evaluator.Evaluate(model, cluster, plan, options).Time.Step.Value;
            batches.Add(watch.Elapsed.TotalNanoseconds / iterations);
        }
        GC.KeepAlive(sink);
        return new BenchRow("analytical evaluation", "gpt3-175b, 64 x A100, tp8 pp8 vpp3", 3 * iterations, "ns per plan", Median(batches), batches.Min());
    }

    /// <summary>The event simulator on interleaved 1F1B with uniform stages: generate, simulate, summarize (ms).</summary>
    public static IReadOnlyList<BenchRow> Simulator(int p, int m, int v, int runs)
    {
        var durations = StageDurations.Uniform(p * v, new Seconds(1.0 / v), new Seconds(2.0 / v));
        var generate = new List<double>(); var simulate = new List<double>(); var summarize = new List<double>();
        Timeline? last = null;
        for (int i = 0; i <= runs; i++)
        {
            var sw = Stopwatch.StartNew();
            var schedule = Interleaved1F1B.Build(p, m, v);
            double g = sw.Elapsed.TotalMilliseconds;
            last = PipelineSimulator.Run(schedule, durations);
            double s = sw.Elapsed.TotalMilliseconds;
            TimelineSummary.Of(last);
            double t = sw.Elapsed.TotalMilliseconds;
            if (i == 0) continue; // warm-up (JIT)
            generate.Add(g); simulate.Add(s - g); summarize.Add(t - s);
        }
        string workload = $"interleaved 1F1B p {p}, m {m}, v {v}: {last!.Schedule.ActionCount} actions";
        var total = generate.Zip(simulate, summarize).Select(x => x.First + x.Second + x.Third).ToList();
        return
        [
            new("schedule generate", workload, runs, "ms", Median(generate), generate.Min()),
            new("event simulate", workload, runs, "ms", Median(simulate), simulate.Min()),
            new("timeline summarize", workload, runs, "ms", Median(summarize), summarize.Min()),
            new("simulator total", workload, runs, "ms", Median(total), total.Min()),
        ];
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
