using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Validation;

namespace ParallelSim.Cli.Commands;

/// <summary>`parallelsim validate`: every reference case (configs/reference/, or the user's --file/--runs/--measurements), predicted vs published.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var format = CommonOptions.Format();
        var suite = new Option<string?>("--suite") { Description = "Run only the suites whose name contains this text" };
        var cmd = new Command("validate", "Compare the cost model with published and measured runs (configs/reference, or your own files); exit 1 when a case is outside its tolerance or a suite above its MAPE limit");
        cmd.Options.Add(format);
        cmd.Options.Add(suite);
        var plot = CommonOptions.PlotFile("--plot", "predicted vs published, one marker per case coloured by suite,");
        cmd.Options.Add(plot);
        const string ownData = " Repeatable. When --file, --runs or --measurements is given, only those files are checked (the embedded suites are not run; --suite then filters among them).";
        var file = new Option<string[]>("--file") { Description = "A suite in the JSON format of configs/reference/*.json." + ownData };
        var runs = new Option<string[]>("--runs")
        {
            Description = "A CSV of published runs in the schema of the public run list (source, model, layers, hidden, heads, ffn_hidden, vocab, " +
                "seq_len, gpu, num_gpus, tp, pp, dp, cp, vpp, micro_batch, global_batch, recompute, sequence_parallel, zero_stage, reported_*): one suite per " +
                "source, one case per reported number (reported_tflops_per_gpu is compared with the model FLOPs rate, MFU x peak, except when recompute is " +
                "full: then with the hardware rate, as arXiv:2104.04473 eq. 3 counts the recomputed forward; reported_memory_gb is decimal GB unless the " +
                "notes say GiB). Rows that cannot be evaluated are listed as skipped with the reason; the mapping rules are in README.md." + ownData,
        };
        var measurements = new Option<string[]>("--measurements")
        {
            Description = "Single-GPU training measurements in JSON lines (the format of configs/calibration/h200/train.jsonl): three suites, " +
                "iteration time (MAPE at most 15%), peak memory (10% per case) and static memory (2% per case)." + ownData,
        };
        var gpu = new Option<string?>("--gpu") { Description = $"The GPU of --measurements rows that name none [default: {UserSuites.DefaultMeasurementGpu}]" };
        var mapeLimit = new Option<double?>("--mape-limit") { Description = "Fail (exit 1) a --runs suite whose MAPE is above PCT percent [default: none, report only]" };
        var stack = new Option<string?>("--stack")
        {
            Description = "Evaluate every --runs row on this stack (a name in configs/stacks/ or a profile JSON, e.g. from `calibrate stack`) instead of " +
                "its stack and framework columns; its attention, precision, overlap and dropout columns still apply [default: each row's own]",
        };
        var leaveOneOut = new Option<bool>("--leave-one-out")
        {
            Description = "Instead of the case tables: for each suite, fit the stack factors (GEMM derate, attention derate, NIC efficiency, as " +
                "`calibrate stack` does) to the time-dependent cases of the other suites and predict it with them; prints each suite's MAPE as shipped and held out",
        };
        foreach (var o in new Option[] { file, runs, measurements, gpu, mapeLimit, stack, leaveOneOut }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            string? filter = r.GetValue(suite);
            string[] files = r.GetValue(file) ?? [], runFiles = r.GetValue(runs) ?? [], measurementFiles = r.GetValue(measurements) ?? [];
            var problems = new List<string>();
            if (r.GetValue(gpu) is not null && measurementFiles.Length == 0) problems.Add("--gpu applies to --measurements files; none given");
            double? limit = r.GetValue(mapeLimit);
            if (limit is not null && runFiles.Length == 0) problems.Add("--mape-limit applies to --runs files; none given");
            if (limit is < 0 or double.NaN) problems.Add($"--mape-limit must be a percentage at least 0 (got {limit})");
            Core.Stack.StackSpec? runsStack = null;
            if (r.GetValue(stack) is string stackName)
            {
                if (runFiles.Length == 0) problems.Add("--stack applies to --runs files; none given");
                try { runsStack = Catalog.Default.Stack(stackName); }
                catch (UserInputException e) { problems.AddRange(e.Problems.Select(p => "--stack: " + p)); }
            }
            if (problems.Count > 0) throw new UserInputException(problems);

            bool own = files.Length + runFiles.Length + measurementFiles.Length > 0;
            var loaded = own ? UserSuites.Load(files, runFiles, measurementFiles, r.GetValue(gpu), limit, Catalog.Default, runsStack) : ReferenceReader.Embedded(Catalog.Default);
            var suites = loaded.Where(s => filter is null || s.Name.Contains(filter, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (suites.Length == 0) throw new UserInputException(filter is null ? "the files hold no suite" : $"--suite '{filter}' matches no suite");
            if (r.GetValue(leaveOneOut))
            {
                r.InvocationConfiguration.Output.Write(LeaveOneOutReport.Render(
                    Core.Fitting.SuiteHoldOut.Run(suites, ReferenceEvaluation.Predict, LeaveOneOutSettings), fmt));
                return 0;
            }
            var outcomes = suites.Select(ReferenceEvaluation.Run).ToArray();
            r.InvocationConfiguration.Output.Write(ValidationReport.Render(outcomes, fmt));
            if (r.GetValue(plot) is string plotPath)
                PlotAdapters.Write(plotPath, p => Plotting.ValidationPlot.Save(ValidationReport.PlotPoints(outcomes), p));
            return outcomes.All(o => o.Passed) ? 0 : 1;
        });
        return cmd;
    }

    /// <summary>
    /// The fits of --leave-one-out: all three factors, Nelder-Mead capped at 400 iterations so the embedded suites (the zero-bubble
    /// one on the event simulator) take seconds, not minutes.
    /// </summary>
    public static readonly Core.Fitting.StackFitSettings LeaveOneOutSettings = new(Core.Fitting.StackFactorInfo.All, MaxIterations: 400, Tolerance: 1e-8);
}
