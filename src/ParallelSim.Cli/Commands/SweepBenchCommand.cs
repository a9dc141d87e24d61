using System.CommandLine;
using System.Diagnostics;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Search;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// `parallelsim bench-sweep`: how fast the planner screens plans. Runs a sweep (by default the 1T model
/// of arXiv:2205.05198 on 3072 A100s, global batch 3072, every dimension open) and reports the time of
/// each phase and plans screened per second, measured with a Stopwatch.
/// </summary>
public static class SweepBenchCommand
{
    public static Command Create()
    {
        var options = new SweepOptions();
        var repeat = new Option<int>("--repeat") { Description = "Runs to time (the first includes JIT warm-up) [default: 3]", DefaultValueFactory = _ => 3 };
        var cmd = new Command("bench-sweep", "Benchmark the sweep: plans screened per second [default: megatron-1t on 3072 A100s, global batch 3072, all dimensions open]");
        options.AddTo(cmd);
        cmd.Options.Add(repeat);
        cmd.SetAction(r =>
        {
            int runs = r.GetValue(repeat);
            if (runs < 1) throw new UserInputException($"--repeat must be at least 1 (got {runs})");
            var defaults = new SweepSpec { Model = "megatron-1t", Cluster = "dgx-a100", Gpus = "3072", GlobalBatch = 3072 };
            var setup = options.Bind(r, Catalog.Default, defaults);
            var output = r.InvocationConfiguration.Output;
            var sweeper = new Sweeper();
            var t = new TextTable($"Sweep benchmark: {setup.Request.Model.Name} on {string.Join(",", setup.Request.GpuCounts)} x {setup.Request.Node.Gpu.Name}, " +
                $"global batch {setup.Request.Fixed.GlobalBatch}, {Environment.ProcessorCount} cores",
                "run", "plans", "invalid branches", "fit", "enumerate s", "screen s", "refine s", "total s", "plans screened/s");
            foreach (var i in Enumerable.Range(1, 8)) t.RightAligned.Add(i);
            for (int k = 1; k <= runs; k++)
            {
                var wall = Stopwatch.StartNew();
                var res = sweeper.Run(setup.Request);
                wall.Stop();
                var tm = res.Timings;
                t.Add(k.ToString(System.Globalization.CultureInfo.InvariantCulture), N(res.Plans.Count), N(res.RejectedRows), N(res.Fitting),
                    F(tm.Enumerate.TotalSeconds, 3), F(tm.Screen.TotalSeconds, 3), F(tm.Refine.TotalSeconds, 3), F(wall.Elapsed.TotalSeconds, 3),
                    N((long)(res.Screened / Math.Max(tm.Screen.TotalSeconds, 1e-9))));
            }
            output.Write(t.Render(OutputFormat.Table));
            return 0;
        });
        return cmd;
    }
}
