using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelSim.Core.Validation;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Output;

/// <summary>The output of `validate`: every case, every suite, the skipped rows; and the points of its plot.</summary>
public static class ValidationReport
{
    /// <summary>One point per case: published against predicted, with the case's tolerance (or its suite's MAPE limit).</summary>
    public static IReadOnlyList<Plotting.ValidationPoint> PlotPoints(IReadOnlyList<SuiteOutcome> outcomes) =>
        // the out-of-memory verdicts are right or wrong, not a quantity: they have no place on a predicted-vs-published scatter
        outcomes.SelectMany(o => o.Cases.Where(c => c.Case.Metric is not (ReferenceMetric.RanAsMeasured or ReferenceMetric.OutOfMemoryAsMeasured)).Select(c =>
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
        // CSV is the case table alone, so each case carries its suite's sample label there
        bool csv = fmt == OutputFormat.Csv;
        var cases = new TextTable("", ["suite", "case", "metric", "predicted", "published", "error", "tolerance", "ok", .. csv ? new[] { "sample" } : []]);
        foreach (var i in new[] { 3, 4, 5, 6 }) cases.RightAligned.Add(i);
        foreach (var o in outcomes)
            foreach (var c in o.Cases)
                cases.Add([o.Suite.Name, c.Case.Name, c.Case.Metric.ToString(), Sig(c.Predicted, 5), Sig(c.Case.Expected, 5),
                    Signed(c.ErrorPct), c.Case.TolerancePct is double t ? F(t, 0) + "%" : "-", c.Within ? "yes" : "NO",
                    .. csv ? new[] { SampleNames.Short(o.Suite.Sample) } : []]);
        if (csv) return cases.Render(fmt);
        var suites = new TextTable("", "suite", "cases", "outside", "skipped", "MAPE", "MAPE limit", "ok", "sample", "source");
        foreach (var i in new[] { 1, 2, 3, 4, 5 }) suites.RightAligned.Add(i);
        foreach (var o in outcomes)
            suites.Add(o.Suite.Name, o.Cases.Count.ToString(), o.Cases.Count(c => !c.Within).ToString(), o.Suite.SkippedCases.Count.ToString(),
                o.Cases.Count == 0 ? "-" : F(o.MapePct, 2) + "%", o.Suite.MapeLimitPct is double l ? F(l, 0) + "%" : "-", o.Passed ? "yes" : "NO",
                SampleNames.Short(o.Suite.Sample), o.Suite.Source.Citation);
        var skipped = new TextTable("skipped (not evaluated, not in the MAPE)", "suite", "row", "case", "reason");
        foreach (var o in outcomes)
            foreach (var s in o.Suite.SkippedCases)
                skipped.Add(o.Suite.Name, s.Locator, s.Name, s.Reason);
        return cases.Render(fmt) + "\n" + suites.Render(fmt) + "\n" + Samples(outcomes, fmt) + (skipped.Rows.Count > 0 ? "\n" + skipped.Render(fmt) : "");
    }

    /// <summary>
    /// MAPE over the cases of the in-sample suites and over the out-of-sample ones (every metric pooled; the counts say how many),
    /// then what was fitted or chosen on each labelled suite.
    /// </summary>
    private static string Samples(IReadOnlyList<SuiteOutcome> outcomes, OutputFormat fmt)
    {
        var lines = SampleSummary.Of(outcomes).Select(m =>
            $"{(SampleNames.Long(m.Label) + ":").PadRight(15)} MAPE {(m.Cases == 0 ? "-" : F(m.MapePct, 2) + "%")} over {m.Cases} case{(m.Cases == 1 ? "" : "s")} of {m.Suites} suite{(m.Suites == 1 ? "" : "s")} ({m.TimeCases} of time, throughput or MFU; {m.Cases - m.TimeCases} of memory)");
        string text = string.Join(fmt == OutputFormat.Markdown ? "  \n" : "\n", lines) + "\n";
        var labelled = outcomes.Where(o => o.Suite.Sample != SampleLabel.Unlabelled).ToArray();
        if (labelled.Length == 0) return text;
        var fitted = new TextTable("what each suite's agreement may owe to fitting", "suite", "sample", "fitted or chosen on it");
        foreach (var o in labelled) fitted.Add(o.Suite.Name, SampleNames.Short(o.Suite.Sample), o.Suite.FittedTo);
        return text + "\n" + fitted.Render(fmt);
    }

    private static string Signed(double pct) => (pct >= 0 ? "+" : "") + F(pct, 2) + "%";

    private static JsonObject Json(IReadOnlyList<SuiteOutcome> outcomes) => new()
    {
        ["passed"] = outcomes.All(o => o.Passed),
        ["samples"] = new JsonArray(SampleSummary.Of(outcomes).Select(m => (JsonNode)new JsonObject
        {
            ["sample"] = m.Label == SampleLabel.Unlabelled ? "unlabelled" : SampleNames.Short(m.Label),
            ["suites"] = m.Suites,
            ["cases"] = m.Cases,
            ["timeCases"] = m.TimeCases,
            ["mapePct"] = m.Cases == 0 ? null : m.MapePct,
        }).ToArray()),
        ["suites"] = new JsonArray(outcomes.Select(o => (JsonNode)new JsonObject
        {
            ["suite"] = o.Suite.Name,
            ["title"] = o.Suite.Title,
            ["source"] = o.Suite.Source.Citation,
            ["mapePct"] = o.Cases.Count == 0 ? null : o.MapePct,
            ["mapeLimitPct"] = o.Suite.MapeLimitPct,
            ["passed"] = o.Passed,
            ["sample"] = o.Suite.Sample == SampleLabel.Unlabelled ? "unlabelled" : SampleNames.Short(o.Suite.Sample),
            ["fittedTo"] = o.Suite.FittedTo,
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
