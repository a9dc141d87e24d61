using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelSim.Cli.Commands;
using ParallelSim.Core.Fitting;
using ParallelSim.Core.Stack;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Output;

/// <summary>The output of `calibrate stack`: every case before, after and held out, then the factors and the three MAPEs.</summary>
public static class StackCalibrationReport
{
    public static string Render(StackCalibrationJob job, StackSpec profile, string path, string wrote, OutputFormat fmt)
    {
        if (fmt == OutputFormat.Json) return Json(job, profile, path).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var fit = job.Fit;
        var table = new TextTable(fmt == OutputFormat.Csv ? "" : Title(job),
            "case", "metric", "published", "before", "before error", "fitted", "fitted error", "held out", "held-out error");
        foreach (var i in new[] { 2, 3, 4, 5, 6, 7, 8 }) table.RightAligned.Add(i);
        var loo = job.LooErrorsPct;
        for (int i = 0; i < fit.Cases.Count; i++)
        {
            var c = fit.Cases[i];
            table.Add(c.Case.Name, c.Case.Metric.ToString(), Sig(c.Case.Expected, 5), Sig(c.Before, 5), Signed(c.ErrorBeforePct), Sig(c.After, 5),
                Signed(c.ErrorAfterPct), job.LeaveOneOut[i] is double p ? Sig(p, 5) : "-", loo[i] is double e ? Signed(e) : "-");
        }
        if (fmt == OutputFormat.Csv) return table.Render(fmt);
        var sb = new StringBuilder(table.Render(fmt)).Append('\n');
        sb.Append("fitted: ").Append(string.Join(", ", fit.Free.Select(f => $"{StackFactorInfo.JsonKey(f)} {F(fit.Factors[f]!.Value, 4)}")));
        foreach (var (f, why) in job.Kept) sb.Append($"; {StackFactorInfo.JsonKey(f)} kept at the stack's {F(StackFactorInfo.Of(job.Base, f), 4)} ({why})");
        sb.Append('\n');
        if (!fit.Converged) sb.Append($"note: Nelder-Mead stopped at its iteration limit after {fit.Evaluations} evaluations; the best point seen is kept\n");
        sb.Append($"MAPE: {F(fit.MapeBeforePct, 2)}% on the stack as shipped, {F(fit.MapePct, 2)}% fitted (in sample), ")
          .Append(job.LooMapePct is double l ? $"{F(l, 2)}% leave-one-run-out (each run predicted by a fit to the others)" : "leave-one-run-out not possible")
          .Append('\n');
        sb.Append(wrote).Append('\n');
        return sb.ToString();
    }

    private static string Title(StackCalibrationJob job) =>
        $"Stack factors fitted to {job.Fit.Cases.Count} cases ({job.Runs} runs) of {job.File} on {(job.BaseGiven ? job.Base.Name : "each row's own stack (" + job.Base.Name + ")")}" +
        (job.MemoryCases + job.SkippedRows > 0 ? $"; left out: {job.MemoryCases} memory cases, {job.SkippedRows} skipped rows" : "");

    private static string Signed(double pct) => (pct >= 0 ? "+" : "") + F(pct, 2) + "%";

    private static JsonObject Json(StackCalibrationJob job, StackSpec profile, string path)
    {
        var fit = job.Fit;
        var loo = job.LooErrorsPct;
        return new JsonObject
        {
            ["runs"] = job.File,
            ["base"] = job.Base.Name,
            ["profile"] = new JsonObject { ["path"] = path, ["name"] = profile.Name },
            ["factors"] = new JsonObject(fit.Free.Select(f => KeyValuePair.Create(StackFactorInfo.JsonKey(f), (JsonNode?)fit.Factors[f]!.Value))),
            ["kept"] = new JsonArray(job.Kept.Select(k => (JsonNode)new JsonObject
            {
                ["factor"] = StackFactorInfo.JsonKey(k.Factor), ["value"] = StackFactorInfo.Of(job.Base, k.Factor), ["why"] = k.Why,
            }).ToArray()),
            ["mapeBeforePct"] = fit.MapeBeforePct,
            ["mapePct"] = fit.MapePct,
            ["looMapePct"] = job.LooMapePct,
            ["converged"] = fit.Converged,
            ["evaluations"] = fit.Evaluations,
            ["cases"] = new JsonArray(fit.Cases.Select((c, i) => (JsonNode)new JsonObject
            {
                ["name"] = c.Case.Name,
                ["locator"] = c.Case.Source.Locator,
                ["metric"] = c.Case.Metric.ToString(),
                ["published"] = c.Case.Expected,
                ["before"] = c.Before,
                ["errorBeforePct"] = c.ErrorBeforePct,
                ["fitted"] = c.After,
                ["errorFittedPct"] = c.ErrorAfterPct,
                ["heldOut"] = job.LeaveOneOut[i],
                ["errorHeldOutPct"] = loo[i],
            }).ToArray()),
        };
    }
}
