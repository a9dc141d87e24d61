using System.Text.Json;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Stack;

namespace ParallelSim.Readers;

/// <summary>
/// Reads software stacks (configs/stacks/*.json, or a user's profile) and the attention-kernel table
/// (configs/kernels/attention.json: each kernel's published forward and backward efficiency per GPU generation).
/// </summary>
public static class StackReader
{
    /// <summary>The kernel table: kernel → its rates per generation.</summary>
    public static IReadOnlyDictionary<AttentionKernel, AttentionRates> ReadAttentionTable(string text, string where)
    {
        using var doc = JsonFields.Parse(text, where);
        var j = JsonFields.Of(doc.RootElement, where);
        j.String("source", "");
        var problems = new List<string>();
        var table = new Dictionary<AttentionKernel, List<AttentionRate>>();
        if (!doc.RootElement.TryGetProperty("rates", out var rates) || rates.ValueKind != JsonValueKind.Array)
            problems.Add($"{where}: \"rates\" must be an array of {{kernel, generation, forward, backward, source}}");
        else
        {
            j.Has("rates");
            int i = 0;
            foreach (var e in rates.EnumerateArray())
            {
                var r = JsonFields.Of(e, $"{where}: rates[{i++}]");
                string kernel = r.String("kernel"), generation = r.String("generation"), source = r.String("source");
                var fwd = Curve(r, "forward", source);
                var bwd = Curve(r, "backward", source);
                if (!StackNames.Attention.TryGetValue(kernel, out var k))
                    r.Problems.Add($"{where}: kernel \"{kernel}\" is not known (valid: {string.Join(", ", StackNames.Attention.Keys)})");
                r.String("note", "");
                double refPeak = 0, refSmGHz = 0;
                if (r.Object("measuredOn") is { } on)
                {
                    refPeak = on.Number("peakTflops", min: 1e-3);
                    refSmGHz = on.Int("sms") * on.Number("boostClockGHz", min: 1e-3);
                    on.RejectUnknown(); r.Problems.AddRange(on.Problems);
                }
                r.RejectUnknown(); problems.AddRange(r.Problems);
                if (fwd is not null && bwd is not null && r.Problems.Count == 0)
                {
                    if (!table.TryGetValue(k, out var list)) table[k] = list = [];
                    list.Add(new AttentionRate(generation, fwd, bwd) { MeasuredPeakTflops = refPeak, MeasuredSmGHz = refSmGHz });
                }
            }
        }
        j.RejectUnknown(); problems.AddRange(j.Problems);
        if (problems.Count > 0) throw new UserInputException(problems);
        return table.ToDictionary(kv => kv.Key, kv => new AttentionRates(kv.Value));
    }

    private static EfficiencyCurve? Curve(JsonFields parent, string key, string source)
    {
        var o = parent.Object(key);
        if (o is null) { parent.Problems.Add($"\"{key}\" object with max and halfGflop is required"); return null; }
        var c = new EfficiencyCurve(o.Number("max", min: 1e-3), o.Number("halfGflop", min: 0) * 1e9, new Source(source));
        if (c.Max > 1) o.Problems.Add($"{key} max ({c.Max}) must be at most 1");
        o.RejectUnknown(); parent.Problems.AddRange(o.Problems);
        return c;
    }

    /// <summary>A stack file; its attention kernel's rates come from <paramref name="kernels"/>.</summary>
    public static StackSpec ReadStack(string text, string where, IReadOnlyDictionary<AttentionKernel, AttentionRates> kernels)
    {
        using var doc = JsonFields.Parse(text, where);
        var j = JsonFields.Of(doc.RootElement, where);
        string name = j.String("name");
        j.String("description", "");
        string framework = j.String("framework"), attention = j.String("attention"), precision = j.String("precision"), dtype = j.String("dtype", "bf16");
        bool overlap = j.Bool("overlap"), dropout = j.Bool("dropout");
        double gemm = j.Number("gemmDerate", 1.0, min: 1e-3), attn = j.Number("attentionDerate", 1.0, min: 1e-3), nic = j.Number("nicEfficiency", 1.0, min: 1e-3);
        string ring = j.String("dataParallelRing", "hierarchical");
        bool everyMicro = j.Bool("reduceEveryMicroBatch", false);
        int prefetch = j.Int("prefetchLayers", 0, min: 0);
        double? gatherBytes = j.Has("paramGatherBytes") ? j.Number("paramGatherBytes", min: 1) : null;
        double? reduceBytes = j.Has("gradReduceBytes") ? j.Number("gradReduceBytes", min: 1) : null;
        double? lossBytes = j.Has("lossBytesPerLogit") ? j.Number("lossBytesPerLogit", min: 0) : null;
        bool? eager = j.Has("eagerKernels") ? j.Bool("eagerKernels") : null;
        bool scatterGather = j.Bool("p2pScatterGather", true);
        var zeroStages = IntList(doc.RootElement, j, "zeroStages", where)?.Select(z => z is >= 0 and <= 3 ? (ZeroStage)z : Bad<ZeroStage>(j, $"{where}: zeroStages holds {z}; stages are 0 to 3")).ToArray();
        var recomputeModes = NameList(doc.RootElement, j, "recomputeModes", where)?.Select(n => ScheduleNames.Recompute.TryGetValue(n, out var k) ? k
            : Bad<RecomputeMode>(j, $"{where}: recomputeModes holds \"{n}\" (valid: {string.Join(", ", ScheduleNames.Recompute.Keys)})")).ToArray();
        var parallelisms = NameList(doc.RootElement, j, "parallelisms", where);
        foreach (var dim in parallelisms ?? [])
            if (dim is not ("tp" or "pp" or "cp" or "sp")) j.Problems.Add($"{where}: parallelisms holds \"{dim}\" (valid: tp, pp, cp, sp)");
        var schedules = NameList(doc.RootElement, j, "schedules", where)?.Select(n => ScheduleNames.Schedules.TryGetValue(n, out var k) ? k
            : Bad<ScheduleKind>(j, $"{where}: schedules holds \"{n}\" (valid: {string.Join(", ", ScheduleNames.Schedules.Keys)})")).ToArray();
        string source = j.String("source");
        if (j.Has("sources") && doc.RootElement.GetProperty("sources").ValueKind != JsonValueKind.Object)
            j.Problems.Add($"{where}: \"sources\" must be an object of field → citation");
        if (j.Object("fitted") is { } fitted) CheckFitted(fitted, where, new() { ["gemmDerate"] = gemm, ["attentionDerate"] = attn, ["nicEfficiency"] = nic }, j.Problems);
        else if (j.Has("fitted")) j.Problems.Add($"{where}: \"fitted\" must be an object {{runs, base, cases, factors, mapePct, ...}}");
        foreach (var (key, v) in new[] { ("gemmDerate", gemm), ("attentionDerate", attn), ("nicEfficiency", nic) })
            if (v > (key == "nicEfficiency" ? 1 : 2)) j.Problems.Add($"{where}: \"{key}\" is {v}; it must be at most {(key == "nicEfficiency" ? 1 : 2)}");
        var f = Parse(StackNames.Frameworks, framework, "framework", where, j.Problems);
        var a = Parse(StackNames.Attention, attention, "attention", where, j.Problems);
        var p = Parse(ScheduleNames.Precision, precision, "precision", where, j.Problems);
        var d = Parse(StackNames.Dtypes, dtype, "dtype", where, j.Problems);
        if (d == ComputeDtype.Fp8) j.Problems.Add($"{where}: dtype \"fp8\" is not modelled yet (valid: bf16, fp16)");
        foreach (var (key, count) in new[] { ("zeroStages", zeroStages?.Length), ("schedules", schedules?.Length), ("recomputeModes", recomputeModes?.Length) })
            if (count == 0) j.Problems.Add($"{where}: \"{key}\" is empty; list at least one, or leave the key out for all");
        var r = Parse(new Dictionary<string, RingLayout>(StringComparer.OrdinalIgnoreCase) { ["hierarchical"] = RingLayout.Hierarchical, ["flat"] = RingLayout.Flat },
            ring, "dataParallelRing", where, j.Problems);
        j.RejectUnknown(); j.ThrowIfProblems();
        return new StackSpec
        {
            Name = name, Framework = f, Attention = a, Precision = p, Dtype = d, Overlap = overlap, Dropout = dropout,
            GemmDerate = gemm, AttentionDerate = attn, NicEfficiency = nic, DataParallelRing = r, ReduceEveryMicroBatch = everyMicro,
            PrefetchLayers = prefetch, ParamGatherBytes = gatherBytes, GradReduceBytes = reduceBytes, LossBytesPerLogit = lossBytes,
            ZeroStages = zeroStages, Schedules = schedules, RecomputeModes = recomputeModes, Parallelisms = parallelisms, EagerKernels = eager, P2PScatterGather = scatterGather,
            AttentionRates = kernels.TryGetValue(a, out var rates) ? rates : AttentionRates.None,
            Source = new Source(source, where),
        };
    }

    private static T Bad<T>(JsonFields j, string problem) where T : struct { j.Problems.Add(problem); return default; }

    private static int[]? IntList(JsonElement root, JsonFields j, string key, string where)
    {
        if (!j.Has(key)) return null;
        var e = root.GetProperty(key);
        if (e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out _)))
            return e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
        j.Problems.Add($"{where}: \"{key}\" must be an array of whole numbers");
        return null;
    }

    private static string[]? NameList(JsonElement root, JsonFields j, string key, string where)
    {
        if (!j.Has(key)) return null;
        var e = root.GetProperty(key);
        if (e.ValueKind == JsonValueKind.Array && e.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String))
            return e.EnumerateArray().Select(x => x.GetString()!).ToArray();
        j.Problems.Add($"{where}: \"{key}\" must be an array of names");
        return null;
    }

    /// <summary>
    /// The "fitted" object `calibrate stack` writes: runs (the file), base (the stack fitted on), cases, factors (the fitted ones, by
    /// key), mapeBeforePct, mapePct, looMapePct (optional). Each fitted factor must be the profile's own value: a profile edited after
    /// its fit no longer is what the record says.
    /// </summary>
    private static void CheckFitted(JsonFields f, string where, Dictionary<string, double> values, List<string> problems)
    {
        f.String("runs"); f.String("base");
        f.Int("cases", min: 1);
        f.Number("mapePct", min: 0);
        f.Number("mapeBeforePct", 0, min: 0);
        f.Number("looMapePct", 0, min: 0);
        if (f.Object("factors") is not { } factors) f.Problems.Add($"{where}: \"fitted\": \"factors\" must be an object of fitted factor → value (gemmDerate, attentionDerate, nicEfficiency)");
        else
        {
            foreach (var (key, own) in values)
                if (factors.Has(key) && factors.Number(key) is double v && Math.Abs(v - own) > 1e-9)
                    factors.Problems.Add($"{where}: \"fitted\": factors.{key} is {ReferenceReader.Invariant(v)} but the profile's {key} is {ReferenceReader.Invariant(own)}; edit both or drop \"fitted\"");
            factors.RejectUnknown(); f.Problems.AddRange(factors.Problems);
        }
        f.RejectUnknown(); problems.AddRange(f.Problems);
    }

    private static T Parse<T>(IReadOnlyDictionary<string, T> table, string value, string key, string where, List<string> problems) where T : struct
    {
        if (table.TryGetValue(value, out var v)) return v;
        problems.Add($"{where}: {key} \"{value}\" is not valid (valid: {string.Join(", ", table.Keys)})");
        return table.Values.First();
    }
}
