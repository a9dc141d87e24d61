using System.CommandLine;
using System.Diagnostics;
using ParallelSim.Cli.Loading;
using ParallelSim.Core.Units;
using ParallelSim.Schedules.Generators;
using ParallelSim.Schedules.Simulation;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// `parallelsim bench`: times the event simulator on a large interleaved schedule (default p 64, m 1024,
/// v 4: 524,288 actions) with a Stopwatch over several runs, single-threaded.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var pp = new Option<int>("--pp") { Description = "Pipeline ranks", DefaultValueFactory = _ => 64 };
        var mb = new Option<int>("--micro-batches") { Description = "Micro-batches (a multiple of pp)", DefaultValueFactory = _ => 1024 };
        var vpp = new Option<int>("--vpp") { Description = "Model chunks per rank", DefaultValueFactory = _ => 4 };
        var runs = new Option<int>("--runs") { Description = "Timed runs after one warm-up", DefaultValueFactory = _ => 5 };
        var cmd = new Command("bench", "Time the pipeline event simulator on a large interleaved 1F1B schedule") { pp, mb, vpp, runs };
        cmd.SetAction(r =>
        {
            int p = r.GetValue(pp), m = r.GetValue(mb), v = r.GetValue(vpp), n = r.GetValue(runs);
            var problems = new List<string>();
            foreach (var (name, value) in new[] { ("--pp", p), ("--micro-batches", m), ("--vpp", v), ("--runs", n) })
                if (value < 1) problems.Add($"{name} must be at least 1 (got {value})");
            if (problems.Count == 0 && m % p != 0) problems.Add($"--micro-batches ({m}) must be a multiple of --pp ({p}) for the interleaved schedule");
            if (problems.Count > 0) throw new UserInputException(problems);

            var durations = StageDurations.Uniform(p * v, new Seconds(1.0 / v), new Seconds(2.0 / v));
            var generate = new List<double>(); var simulate = new List<double>(); var summarize = new List<double>();
            Timeline? last = null;
            for (int i = 0; i <= n; i++)
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
            var o = r.InvocationConfiguration.Output;
            o.WriteLine($"interleaved 1F1B, p {p}, m {m}, v {v}: {last!.Schedule.ActionCount} actions, {n} runs after a warm-up (ms, median / min)");
            o.WriteLine($"generate   {F(Median(generate), 1)} / {F(generate.Min(), 1)}");
            o.WriteLine($"simulate   {F(Median(simulate), 1)} / {F(simulate.Min(), 1)}");
            o.WriteLine($"summarize  {F(Median(summarize), 1)} / {F(summarize.Min(), 1)}");
            o.WriteLine($"total      {F(Median(generate.Zip(simulate, summarize).Select(x => x.First + x.Second + x.Third).ToList()), 1)}");
            return 0;
        });
        return cmd;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
