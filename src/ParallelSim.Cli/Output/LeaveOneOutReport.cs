using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelSim.Core.Fitting;
using ParallelSim.Core.Validation;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Output;

/// <summary>The output of `validate --leave-one-out`: per suite, its MAPE as shipped and held out from a refit to the other suites.</summary>
public static class LeaveOneOutReport
{
    public static string Render(IReadOnlyList<SuiteHoldOutResult> results, OutputFormat fmt)
    {
        if (fmt == OutputFormat.Json) return Json(results).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var table = new TextTable(fmt == OutputFormat.Csv ? "" : "Leave one suite out: stack factors fitted to the time-dependent cases of the other suites, then this suite predicted with them",
            "suite", "sample", "time cases", "MAPE shipped", "MAPE held out", "fitted to", "gemmDerate", "attentionDerate", "nicEfficiency");
        foreach (var i in new[] { 2, 3, 4, 5, 6, 7, 8 }) table.RightAligned.Add(i);
        foreach (var r in results)
            table.Add(r.Suite.Name, SampleNames.Short(r.Suite.Sample), r.TimeCases.ToString(), Pct(r.ShippedMapePct), Pct(r.HeldOutMapePct),
                r.Fit is null ? "-" : $"{r.Fit.Cases.Count} cases", Factor(r, StackFactor.Gemm), Factor(r, StackFactor.Attention), Factor(r, StackFactor.Nic));
        if (fmt == OutputFormat.Csv) return table.Render(fmt);
        string notes = "";
        if (results.Any(r => r.Kept.Count > 0))
            notes += "kept: a factor no case of the other suites depends on stays at each case's own value\n";
        if (results.Any(r => r.Fit is { Converged: false }))
            notes += "~: Nelder-Mead stopped at its iteration limit (validate --leave-one-out caps it to stay fast); the best point seen is used\n";
        if (results.Any(r => r.TimeCases == 0))
            notes += "suites without time-dependent cases (memory only) are not moved by any factor: their MAPE is the plain validate's\n";
        return table.Render(fmt) + (notes.Length > 0 ? "\n" + notes : "");
    }

    private static string Pct(double? v) => v is double d ? F(d, 2) + "%" : "-";

    private static string Factor(SuiteHoldOutResult r, StackFactor f)
    {
        if (r.Fit is null) return "-";
        if (r.Kept.Contains(f)) return "kept";
        return r.Fit.Factors[f] is double v ? F(v, 4) + (r.Fit.Converged ? "" : "~") : "-";
    }

    private static JsonObject Json(IReadOnlyList<SuiteHoldOutResult> results) => new()
    {
        ["suites"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
        {
            ["suite"] = r.Suite.Name,
            ["sample"] = r.Suite.Sample == SampleLabel.Unlabelled ? "unlabelled" : SampleNames.Short(r.Suite.Sample),
            ["timeCases"] = r.TimeCases,
            ["shippedMapePct"] = r.ShippedMapePct,
            ["heldOutMapePct"] = r.HeldOutMapePct,
            ["fittedToCases"] = r.Fit?.Cases.Count,
            ["converged"] = r.Fit?.Converged,
            ["factors"] = r.Fit is null ? null : new JsonObject(r.Fit.Free.Select(f => KeyValuePair.Create(StackFactorInfo.JsonKey(f), (JsonNode?)r.Fit.Factors[f]))),
            ["kept"] = new JsonArray(r.Kept.Select(f => (JsonNode)StackFactorInfo.JsonKey(f)).ToArray()),
        }).ToArray()),
    };
}
