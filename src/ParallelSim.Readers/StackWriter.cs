using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelSim.Core.Fitting;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Stack;

namespace ParallelSim.Readers;

/// <summary>What a calibrated profile records of its fit (the "fitted" object of a stack JSON).</summary>
/// <param name="Runs">the runs file, by name</param>
/// <param name="Base">the stack the factors were fitted on</param>
/// <param name="Cases">the time-dependent cases fitted to</param>
/// <param name="Factors">the fitted factors by JSON key (gemmDerate, attentionDerate, nicEfficiency); the others are the base's</param>
/// <param name="LooMapePct">leave-one-run-out MAPE, null when no run could be held out</param>
public sealed record FittedRecord(string Runs, string Base, int Cases, IReadOnlyDictionary<StackFactor, double> Factors,
    double MapeBeforePct, double MapePct, double? LooMapePct);

/// <summary>Writes a stack as a profile JSON in the schema of configs/stacks/*.json, which <see cref="StackReader.ReadStack"/> reads back.</summary>
public static class StackWriter
{
    public static string Write(StackSpec s, string description, FittedRecord? fitted)
    {
        var o = new JsonObject
        {
            ["name"] = s.Name,
            ["description"] = description,
            ["framework"] = StackNames.Name(s.Framework),
            ["attention"] = StackNames.Name(s.Attention),
            ["precision"] = ScheduleNames.Name(s.Precision),
            ["dtype"] = StackNames.Name(s.Dtype),
            ["overlap"] = s.Overlap,
            ["dropout"] = s.Dropout,
            ["gemmDerate"] = s.GemmDerate,
            ["attentionDerate"] = s.AttentionDerate,
            ["nicEfficiency"] = s.NicEfficiency,
            ["dataParallelRing"] = s.DataParallelRing == RingLayout.Flat ? "flat" : "hierarchical",
            ["reduceEveryMicroBatch"] = s.ReduceEveryMicroBatch,
            ["prefetchLayers"] = s.PrefetchLayers,
        };
        if (s.ParamGatherBytes is double g) o["paramGatherBytes"] = g;
        if (s.GradReduceBytes is double r) o["gradReduceBytes"] = r;
        if (s.LossBytesPerLogit is double l) o["lossBytesPerLogit"] = l;
        o["source"] = s.Source.Citation;
        if (fitted is not null)
        {
            var sources = new JsonObject();
            foreach (var f in fitted.Factors.Keys.Order())
                sources[StackFactorInfo.JsonKey(f)] = $"fitted by `parallelsim calibrate stack` on {fitted.Base} to {fitted.Cases} cases of {fitted.Runs}";
            o["sources"] = sources;
            var factors = new JsonObject();
            foreach (var (f, v) in fitted.Factors.OrderBy(kv => kv.Key)) factors[StackFactorInfo.JsonKey(f)] = v;
            var fit = new JsonObject
            {
                ["runs"] = fitted.Runs,
                ["base"] = fitted.Base,
                ["cases"] = fitted.Cases,
                ["factors"] = factors,
                ["mapeBeforePct"] = Math.Round(fitted.MapeBeforePct, 3),
                ["mapePct"] = Math.Round(fitted.MapePct, 3),
            };
            if (fitted.LooMapePct is double loo) fit["looMapePct"] = Math.Round(loo, 3);
            o["fitted"] = fit;
        }
        // relaxed escaping: the file is read as JSON, never embedded in HTML, so `, § and ' stay readable
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
