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
