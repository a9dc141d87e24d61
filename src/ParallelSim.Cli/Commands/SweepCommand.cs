using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Search;

namespace ParallelSim.Cli.Commands;

/// <summary>`parallelsim sweep`: every valid plan for a model on one or more GPU counts, ranked, with the reasons.</summary>
public static class SweepCommand
{
    /// <param name="refine">Re-runs the best K screened plans [default: the analytical path]. Pass the event simulator here.</param>
    public static Command Create(PlanEvaluator? refine = null)
    {
        var options = new SweepOptions();
        var format = new Option<string>("--format") { Description = "table|markdown", DefaultValueFactory = _ => "table" };
        var plot = CommonOptions.PlotFile("--plot", "the tp-by-pp heatmap of the best objective (first GPU count)");
        var paretoPlot = CommonOptions.PlotFile("--pareto-plot", "GPUs vs days to train the token budget (several GPU counts)");
        var cmd = new Command("sweep", "Search every valid parallel plan (tp, pp, dp, cp, vpp, micro-batch, ZeRO, recompute, sequence parallelism, schedule) and rank them");
        options.AddTo(cmd);
        cmd.Options.Add(format);
        cmd.Options.Add(plot);
        cmd.Options.Add(paretoPlot);
        cmd.SetAction((r, cancel) =>
        {
            var problems = new List<string>();
            var fmt = r.GetValue(format)!.ToLowerInvariant() switch
            {
                "table" => OutputFormat.Table,
                "markdown" or "md" => OutputFormat.Markdown,
                var other => Problem(problems, $"--format '{other}' is not valid for sweep (valid: table, markdown; --out FILE.csv|json writes every plan)"),
            };
            SweepSetup? setup = null;
            try { setup = options.Bind(r, Catalog.Default); }
            catch (UserInputException e) { problems.AddRange(e.Problems); }
            if (problems.Count > 0 || setup is null) throw new UserInputException(problems);
            var output = r.InvocationConfiguration.Output;
            var sweeper = new Sweeper(refine: refine);
            SweepResult result;
            using (var bar = ConsoleProgress.IsTerminal(output) ? new ConsoleProgress(Console.Error) : null)
                result = sweeper.Run(setup.Request, bar, cancel);
            output.Write(SweepReport.Render(result, sweeper, setup.Top, fmt, setup.Description));
            if (r.GetValue(plot) is string plotPath)
                PlotAdapters.Write(plotPath, p => Plotting.SweepPlot.SaveHeatmap(SweepPlotAdapter.Heatmap(result), SweepPlotAdapter.Objective(result).Label,
                    $"Best plan per (tp, pp): {setup.Request.Model.Name} on {Fmt.N(setup.Request.GpuCounts[0])} x {setup.Request.Node.Gpu.Name}, colour = {SweepPlotAdapter.Objective(result).Label}", p));
            if (r.GetValue(paretoPlot) is string paretoPath)
            {
                if (result.Pareto.Count == 0) throw new UserInputException("--pareto-plot needs several GPU counts (e.g. --gpus 512,1024,2048)");
                PlotAdapters.Write(paretoPath, p => Plotting.SweepPlot.SavePareto(SweepPlotAdapter.Pareto(result),
                    $"GPUs vs days to train {Fmt.Sig((setup.Request.TokenBudget ?? 300e9) / 1e9, 4)}B tokens: {setup.Request.Model.Name} on {setup.Request.Node.Gpu.Name}", p));
            }
            if (setup.OutPath is { } path)
            {
                SweepExport.Write(result, path);
                output.WriteLine($"\nWrote {Fmt.N(result.Plans.Count + result.RejectedRows)} rows (every plan with its status) to {path}");
            }
            return Task.FromResult(result.Cancelled ? 130 : 0);
        });
        return cmd;
    }

    private static OutputFormat Problem(List<string> problems, string message)
    {
        problems.Add(message);
        return OutputFormat.Table;
    }
}
