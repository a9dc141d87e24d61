using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelSim.Cli.Loading;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Validation;
using static ParallelSim.Cli.Output.Fmt;

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
        foreach (var o in new Option[] { file, runs, measurements, gpu, mapeLimit, stack }) cmd.Options.Add(o);
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
            var outcomes = suites.Select(ReferenceEvaluation.Run).ToArray();
            r.InvocationConfiguration.Output.Write(Render(outcomes, fmt));
            if (r.GetValue(plot) is string plotPath)
                PlotAdapters.Write(plotPath, p => Plotting.ValidationPlot.Save(PlotPoints(outcomes), p));
            return outcomes.All(o => o.Passed) ? 0 : 1;
        });
        return cmd;
    }

    /// <summary>One point per case: published against predicted, with the case's tolerance (or its suite's MAPE limit).</summary>
    public static IReadOnlyList<Plotting.ValidationPoint> PlotPoints(IReadOnlyList<SuiteOutcome> outcomes) =>
        outcomes.SelectMany(o => o.Cases.Select(c =>
        {
            // bytes are shown in GiB, fractions in percent
            var (scale, unit) = c.Case.Metric switch
            {
                ReferenceMetric.StaticBytes or ReferenceMetric.PeakBytes => (1.0 / (1L << 30), "GiB"),
                ReferenceMetric.Mfu => (100.0, "MFU %"),
                ReferenceMetric.Hfu => (100.0, "HFU %"),
                ReferenceMetric.ModelTflopsPerGpu or ReferenceMetric.HardwareTflopsPerGpu => (1.0, "TFLOP/s per GPU"),
                ReferenceMetric.PeakGB => (1.0, "GB"),
                ReferenceMetric.IterationSeconds => (1.0, "s"),
                ReferenceMetric.ModelStateGB => (1.0, "GB"),
                ReferenceMetric.SamplesPerGpuPerSecond => (1.0, "samples/GPU/s"),
                _ => (1.0, "GiB"),
            };
            return new Plotting.ValidationPoint(o.Suite.Name, c.Case.Name, c.Case.Expected * scale, c.Predicted * scale,
                c.Case.TolerancePct ?? o.Suite.MapeLimitPct ?? 0, unit);
        })).ToArray();

    public static string Render(IReadOnlyList<SuiteOutcome> outcomes, OutputFormat fmt)
    {
        if (fmt == OutputFormat.Json) return Json(outcomes).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var cases = new TextTable("", "suite", "case", "metric", "predicted", "published", "error", "tolerance", "ok");
        foreach (var i in new[] { 3, 4, 5, 6 }) cases.RightAligned.Add(i);
        foreach (var o in outcomes)
            foreach (var c in o.Cases)
                cases.Add(o.Suite.Name, c.Case.Name, c.Case.Metric.ToString(), Sig(c.Predicted, 5), Sig(c.Case.Expected, 5),
                    Signed(c.ErrorPct), c.Case.TolerancePct is double t ? F(t, 0) + "%" : "-", c.Within ? "yes" : "NO");
        var suites = new TextTable("", "suite", "cases", "outside", "skipped", "MAPE", "MAPE limit", "ok", "source");
        foreach (var i in new[] { 1, 2, 3, 4, 5 }) suites.RightAligned.Add(i);
        foreach (var o in outcomes)
            suites.Add(o.Suite.Name, o.Cases.Count.ToString(), o.Cases.Count(c => !c.Within).ToString(), o.Suite.SkippedCases.Count.ToString(),
                o.Cases.Count == 0 ? "-" : F(o.MapePct, 2) + "%", o.Suite.MapeLimitPct is double l ? F(l, 0) + "%" : "-", o.Passed ? "yes" : "NO",
                o.Suite.Source.Citation);
        if (fmt == OutputFormat.Csv) return cases.Render(fmt);
        var skipped = new TextTable("skipped (not evaluated, not in the MAPE)", "suite", "row", "case", "reason");
        foreach (var o in outcomes)
            foreach (var s in o.Suite.SkippedCases)
                skipped.Add(o.Suite.Name, s.Locator, s.Name, s.Reason);
        return cases.Render(fmt) + "\n" + suites.Render(fmt) + (skipped.Rows.Count > 0 ? "\n" + skipped.Render(fmt) : "");
    }

    private static string Signed(double pct) => (pct >= 0 ? "+" : "") + F(pct, 2) + "%";

    private static JsonObject Json(IReadOnlyList<SuiteOutcome> outcomes) => new()
    {
        ["passed"] = outcomes.All(o => o.Passed),
        ["suites"] = new JsonArray(outcomes.Select(o => (JsonNode)new JsonObject
        {
            ["suite"] = o.Suite.Name,
            ["title"] = o.Suite.Title,
            ["source"] = o.Suite.Source.Citation,
            ["mapePct"] = o.Cases.Count == 0 ? null : o.MapePct,
            ["mapeLimitPct"] = o.Suite.MapeLimitPct,
            ["passed"] = o.Passed,
            ["cases"] = new JsonArray(o.Cases.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Case.Name,
                ["locator"] = c.Case.Source.Locator,
                ["metric"] = c.Case.Metric.ToString(),
                ["predicted"] = c.Predicted,
                ["published"] = c.Case.Expected,
                ["errorPct"] = c.ErrorPct,
                ["tolerancePct"] = c.Case.TolerancePct,
                ["within"] = c.Within,
            }).ToArray()),
            ["skipped"] = new JsonArray(o.Suite.SkippedCases.Select(k => (JsonNode)new JsonObject
            {
                ["name"] = k.Name,
                ["locator"] = k.Locator,
                ["reason"] = k.Reason,
            }).ToArray()),
        }).ToArray()),
    };
}
