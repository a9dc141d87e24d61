using System.CommandLine;
using ParallelSim.Cli.Loading;
using ParallelSim.Cli.Output;
using ParallelSim.Search;

namespace ParallelSim.Cli.Commands;

/// <summary>`parallelsim sweep`: every valid plan for a model on one or more GPU counts, ranked, with the reasons.</summary>
public static class SweepCommand
{
    /// <summary>The evaluator that re-runs the best K. The analytical path until the event simulator is plugged in here.</summary>
    public static PlanEvaluator? Refiner { get; set; }

    public static Command Create()
    {
        var options = new SweepOptions();
        var format = new Option<string>("--format") { Description = "table|markdown", DefaultValueFactory = _ => "table" };
        var cmd = new Command("sweep", "Search every valid parallel plan (tp, pp, dp, cp, vpp, micro-batch, ZeRO, recompute, sequence parallelism, schedule) and rank them");
        options.AddTo(cmd);
        cmd.Options.Add(format);
        cmd.SetAction((r, cancel) =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            if (fmt is not (OutputFormat.Table or OutputFormat.Markdown))
                throw new UserInputException($"--format for sweep is table or markdown (use --out FILE.csv|json for every plan)");
            var setup = options.Bind(r, Catalog.Default);
            var output = r.InvocationConfiguration.Output;
            var sweeper = new Sweeper(refine: Refiner);
            SweepResult result;
            using (var bar = ConsoleProgress.IsTerminal(output) ? new ConsoleProgress(Console.Error) : null)
                result = sweeper.Run(setup.Request, bar, cancel);
            output.Write(SweepReport.Render(result, sweeper, setup.Top, fmt, setup.Description));
            if (setup.OutPath is { } path)
            {
                SweepExport.Write(result, path);
                output.WriteLine($"\nWrote {Fmt.N(result.Plans.Count + result.RejectedRows)} rows (every plan with its status) to {path}");
            }
            return Task.FromResult(result.Cancelled ? 130 : 0);
        });
        return cmd;
    }
}
