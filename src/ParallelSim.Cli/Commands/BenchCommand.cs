using System.CommandLine;
using System.Diagnostics;
using ParallelSim.Cli.Loading;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// `parallelsim bench`: microbenchmarks, one static method each, reported in nanoseconds per call
/// (Stopwatch over many iterations after a warm-up).
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var iterations = new Option<int>("--iterations") { Description = "Timed calls per benchmark", DefaultValueFactory = _ => 200_000 };
        var format = CommonOptions.Format();
        var cmd = new Command("bench", "Time the analytical evaluation of one plan (ns per evaluation)");
        cmd.Options.Add(iterations);
        cmd.Options.Add(format);
        cmd.SetAction(r =>
        {
            int n = r.GetValue(iterations);
            if (n < 1) throw new UserInputException($"--iterations must be at least 1 (got {n})");
            var table = new TextTable("Microbenchmarks", "benchmark", "iterations", "ns per call");
            table.RightAligned.Add(1); table.RightAligned.Add(2);
            var (name, ns) = AnalyticalEvaluation(n);
            table.Add(name, N(n), F(ns, 0));
            r.InvocationConfiguration.Output.Write(table.Render(CommonOptions.ParseFormat(r.GetValue(format)!)));
            return 0;
        });
        return cmd;
    }

    /// <summary>Evaluator.Evaluate on GPT-3 175B, 64 A100s, tp 8, pp 8, interleaved, selective recompute: ns per call.</summary>
    public static (string Name, double NanosecondsPerCall) AnalyticalEvaluation(int iterations)
    {
        var catalog = Catalog.Default;
        var model = catalog.Model("gpt3-175b");
        var cluster = new ParallelSim.Core.Hardware.ClusterSpec(catalog.Node("dgx-a100"), 64);
        var plan = new ParallelPlan(8, 8, 1, 1, 3, 1, 64, ZeroStage.None, RecomputeMode.Selective, true, ScheduleKind.Interleaved, PrecisionPolicy.Megatron, true);
        var options = CostOptions.Default;
        double sink = 0;
        for (int i = 0; i < Math.Min(iterations, 10_000); i++) sink += Evaluator.Evaluate(model, cluster, plan, options).Time.Step.Value;
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++) sink += Evaluator.Evaluate(model, cluster, plan, options).Time.Step.Value;
        watch.Stop();
        GC.KeepAlive(sink);
        return ("analytical evaluation (gpt3-175b, 64 x A100, tp8 pp8 vpp3)", watch.Elapsed.TotalNanoseconds / iterations);
    }
}
