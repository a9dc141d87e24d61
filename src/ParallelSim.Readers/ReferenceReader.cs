using System.Globalization;
using System.Text.Json;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;
using ParallelSim.Core.Validation;

namespace ParallelSim.Readers;

/// <summary>
/// Reads reference suites (configs/reference/*.json): a suite's "inputs" apply to every case, a case's
/// own "inputs" override them key by key. Unknown keys are errors.
/// </summary>
public static class ReferenceReader
{
    private static readonly Dictionary<string, ReferenceMetric> Metrics = new(StringComparer.Ordinal)
    {
        ["iterationSeconds"] = ReferenceMetric.IterationSeconds, ["modelStateGiB"] = ReferenceMetric.ModelStateGiB, ["layerModelStateGiB"] = ReferenceMetric.LayerModelStateGiB,
        ["activationGiB"] = ReferenceMetric.ActivationGiB, ["mfu"] = ReferenceMetric.Mfu, ["staticBytes"] = ReferenceMetric.StaticBytes,
        ["peakBytes"] = ReferenceMetric.PeakBytes, ["modelStateGB"] = ReferenceMetric.ModelStateGB,
        ["samplesPerGpuPerSecond"] = ReferenceMetric.SamplesPerGpuPerSecond, ["peakGiB"] = ReferenceMetric.PeakGiB,
        ["peakGB"] = ReferenceMetric.PeakGB, ["hfu"] = ReferenceMetric.Hfu, ["modelTflopsPerGpu"] = ReferenceMetric.ModelTflopsPerGpu,
        ["hardwareTflopsPerGpu"] = ReferenceMetric.HardwareTflopsPerGpu,
    };

    private static readonly Dictionary<string, ReferencePipeline> Pipelines = new(StringComparer.Ordinal)
    {
        ["closed-form"] = ReferencePipeline.ClosedForm, ["event-simulation"] = ReferencePipeline.EventSimulation,
        [EndStagesOneLayerFewer] = ReferencePipeline.EventSimulation,
    };

    /// <summary>
    /// The older name of the zero-bubble paper's layout (arXiv:2401.10241 Table 3: first and last stage one layer fewer), kept
    /// working: the event simulation with the embedding and the loss counted as layers (inputs embeddingAsLayer, lossAsLayer).
    /// </summary>
    public const string EndStagesOneLayerFewer = "event-simulation-end-stages-one-layer-fewer";

    private static readonly HashSet<string> InputKeys = new(StringComparer.Ordinal)
    {
        "model", "cluster", "gpus", "tp", "pp", "dp", "cp", "vpp", "vppLayersPerChunk", "microBatch", "globalBatch", "zero", "recompute",
        "sequenceParallel", "schedule", "precision", "flashAttention", "dropout", "overlapGradReduce", "overlapP2P", "tpCommOverlap",
        "includeRuntimeReserve", "parameters", "hostDispatchMicroseconds", "pipeline",
        "firstStageLayers", "lastStageLayers", "embeddingAsLayer", "lossAsLayer",
    };

    /// <summary>The H200 calibration runs, read as any --measurements file is.</summary>
    public static readonly TrainSuiteNaming H200Train = new("h200-train", "H200 calibration runs",
        "ParallelSim calibration run on one NVIDIA H200, 2026-11-27 (configs/calibration/h200/train.jsonl, README in shared/calibration/h200)")
    {
        Sample = SampleLabel.InSample,
        FittedTo = new Dictionary<string, string>
        {
            ["iteration"] = "the H200 GEMM and attention efficiency curves (calibrate gemm/attn on the same machine's kernels, configs/calibration/h200) and the two host terms (calibrate host on these steps)",
            ["peak"] = "the torch-amp memory accounting (autocast's bf16 weight copies, the fp32 loss logits) was worked out on these runs; the allocator-cache fraction of the fits verdict (6.8%) is their median",
            ["static"] = "the torch-amp model-state bytes (16 per parameter) were checked byte by byte on these runs",
            ["oom"] = "the verdicts follow from the peak model (in-sample on these runs) and the allocator-cache fraction, their median reserved/peak; none of these runs ran out of memory",
        },
    };

    /// <summary>Every suite shipped: configs/reference/*.json, and the three built from configs/calibration/h200/train.jsonl.</summary>
    public static IReadOnlyList<ReferenceSuite> Embedded(Catalog catalog)
    {
        var (path, text) = Catalog.EmbeddedFiles("calibration/h200").Single(f => f.Path.EndsWith("/train.jsonl", StringComparison.Ordinal));
        return Catalog.EmbeddedFiles("reference").Select(f => Read(f.Text, f.Path, catalog))
            .Concat(TrainMeasurementsReader.Read(text, path, "train.jsonl", catalog, catalog.Gpu("H200-SXM-141GB"), H200Train))
            .OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();
    }

    public static ReferenceSuite Read(string text, string where, Catalog catalog)
    {
        using var doc = JsonFields.Parse(text, where);
        var j = JsonFields.Of(doc.RootElement, where);
        string name = j.String("suite"), title = j.String("title"), source = j.String("source");
        j.String("note", "");
        var (sample, fittedTo) = ReadSample(j, where);
        double? mape = j.Has("mapeLimitPct") ? j.Number("mapeLimitPct", min: 0) : null;
        bool rounding = j.Bool("printedDigitsCount", false);
        var suiteInputs = doc.RootElement.TryGetProperty("inputs", out var si) ? si : default;
        j.Has("inputs"); j.Has("cases");
        j.RejectUnknown(); j.ThrowIfProblems();
        if (!doc.RootElement.TryGetProperty("cases", out var casesEl) || casesEl.ValueKind != JsonValueKind.Array)
            throw new UserInputException($"{where}: \"cases\" must be an array");

        var cases = new List<ReferenceCase>();
        var problems = new List<string>();
        int index = 0;
        foreach (var ce in casesEl.EnumerateArray())
        {
            string at = $"{where}: cases[{index++}]";
            try { cases.Add(ReadCase(ce, at, name, source, suiteInputs, rounding, catalog)); }
            catch (UserInputException e) { problems.AddRange(e.Problems); }
        }
        if (problems.Count > 0) throw new UserInputException(problems);
        return new ReferenceSuite(name, title, new Source(source), mape, cases) { Sample = sample, FittedTo = fittedTo };
    }

    /// <summary>
    /// "sample": "in" | "out" (absent: unlabelled) and "fittedTo": what was fitted or chosen on the suite, required for "in"
    /// ("nothing" when absent for "out").
    /// </summary>
    private static (SampleLabel, string) ReadSample(JsonFields j, string where)
    {
        string label = j.String("sample", ""), fitted = j.String("fittedTo", "");
        if (label.Length == 0)
            return (SampleLabel.Unlabelled, fitted.Length > 0 ? fitted : "not stated");
        if (!SampleNames.Labels.TryGetValue(label, out var sample))
        {
            j.Problems.Add($"{where}: \"sample\" \"{label}\" is not valid (valid: {string.Join(", ", SampleNames.Labels.Keys)}, or absent for unlabelled)");
            return (SampleLabel.Unlabelled, "not stated");
        }
        if (sample == SampleLabel.InSample && fitted.Length == 0)
            j.Problems.Add($"{where}: \"sample\" is \"in\": say in \"fittedTo\" what was fitted or chosen on this suite");
        return (sample, fitted.Length > 0 ? fitted : "nothing");
    }

    private static ReferenceCase ReadCase(JsonElement e, string at, string suite, string source, JsonElement suiteInputs, bool rounding, Catalog catalog)
    {
        var j = JsonFields.Of(e, at);
        string name = j.String("name"), locator = j.String("locator");
        string metricName = j.String("metric");
        var expectedEl = e.TryGetProperty("expected", out var x) ? x : default;
        double expected = j.Number("expected");
        double? tol = j.Has("tolerancePct") ? j.Number("tolerancePct", min: 0) : null;
        var caseInputs = e.TryGetProperty("inputs", out var ci) ? ci : default;
        j.Has("inputs");
        if (!Metrics.TryGetValue(metricName, out var metric))
            j.Problems.Add($"{at}: metric \"{metricName}\" is not known (valid: {string.Join(", ", Metrics.Keys)})");
        if (expected == 0) j.Problems.Add($"{at}: \"expected\" must not be 0 (errors are relative to it)");
        j.RejectUnknown(); j.ThrowIfProblems();

        var inputs = Merge(suiteInputs, caseInputs, at);
        double resolution = rounding && expectedEl.ValueKind == JsonValueKind.Number ? Resolution(expectedEl.GetRawText()) : 0;
        return new ReferenceCase(suite, name, new Source(source, locator), BuildInputs(inputs, at, catalog), metric, expected, tol, resolution);
    }

    /// <summary>One unit of the last printed digit: "0.12" gives 0.01, "4187" gives 1.</summary>
    private static double Resolution(string raw)
    {
        int dot = raw.IndexOf('.');
        return dot < 0 ? 1 : Math.Pow(10, -(raw.Length - dot - 1));
    }

    private static Dictionary<string, JsonElement> Merge(JsonElement suite, JsonElement own, string at)
    {
        var d = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var src in new[] { suite, own })
        {
            if (src.ValueKind == JsonValueKind.Undefined) continue;
            if (src.ValueKind != JsonValueKind.Object) { problems.Add($"{at}: \"inputs\" must be an object"); continue; }
            foreach (var p in src.EnumerateObject())
            {
                if (!InputKeys.Contains(p.Name)) problems.Add($"{at}: unknown input \"{p.Name}\" (known: {string.Join(", ", InputKeys.Order(StringComparer.Ordinal))})");
                d[p.Name] = p.Value.Clone();
            }
        }
        if (problems.Count > 0) throw new UserInputException(problems);
        return d;
    }

    private static ReferenceInputs BuildInputs(Dictionary<string, JsonElement> d, string at, Catalog catalog)
    {
        var problems = new List<string>();
        int Int(string k, int fallback)
        {
            if (!d.TryGetValue(k, out var v)) return fallback;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) && i >= 0) return i;
            problems.Add($"{at}: input \"{k}\" must be a whole number"); return fallback;
        }
        bool Bool(string k, bool fallback)
        {
            if (!d.TryGetValue(k, out var v)) return fallback;
            if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
            problems.Add($"{at}: input \"{k}\" must be true or false"); return fallback;
        }
        T Name<T>(string k, IReadOnlyDictionary<string, T> table, T fallback)
        {
            if (!d.TryGetValue(k, out var v)) return fallback;
            if (v.ValueKind == JsonValueKind.String && table.TryGetValue(v.GetString()!, out var t)) return t;
            problems.Add($"{at}: input \"{k}\" must be one of {string.Join(", ", table.Keys)}"); return fallback;
        }

        ModelSpec? model = null;
        if (d.TryGetValue("model", out var me))
        {
            try
            {
                model = me.ValueKind == JsonValueKind.String ? catalog.Model(me.GetString()!)
                    : me.ValueKind == JsonValueKind.Object ? SpecReaders.ReadModel(me, $"{at}: model")
                    : throw new UserInputException($"{at}: input \"model\" must be a catalog name or a model object");
            }
            catch (UserInputException e) { problems.AddRange(e.Problems); }
        }

        var pipeline = Name("pipeline", Pipelines, ReferencePipeline.ClosedForm);
        // the layer split: first / last stage counts, or the embedding and the loss counted as layers (Megatron's two kinds);
        // the older pipeline name of the zero-bubble layout is the latter
        bool endStagesOneFewer = d.TryGetValue("pipeline", out var pn) && pn.ValueKind == JsonValueKind.String && pn.GetString() == EndStagesOneLayerFewer;
        int? firstStage = d.ContainsKey("firstStageLayers") ? Int("firstStageLayers", 0) : null;
        int? lastStage = d.ContainsKey("lastStageLayers") ? Int("lastStageLayers", 0) : null;
        var split = new LayerSplit(firstStage, lastStage, Bool("embeddingAsLayer", endStagesOneFewer), Bool("lossAsLayer", endStagesOneFewer));

        int tp = Int("tp", 1), pp = Int("pp", 1), dp = Int("dp", 1), cp = Int("cp", 1), micro = Int("microBatch", 1);
        int vpp = Int("vpp", 1);
        // one layer chunk size for every row (Megatron --num-layers-per-virtual-pipeline-stage; arguments.py counts the
        // embedding and the loss in when they are accounted as layers)
        if (d.ContainsKey("vppLayersPerChunk") && model is not null && pp > 1)
        {
            int perChunk = Math.Max(1, Int("vppLayersPerChunk", 1));
            int counted = model.Layers + (split.EmbeddingAsLayer ? 1 : 0) + (split.LossAsLayer ? 1 : 0);
            vpp = Math.Max(1, counted / pp / perChunk);
        }
        int global = Int("globalBatch", micro * dp);
        var schedule = Name("schedule", ScheduleNames.Schedules, vpp > 1 ? ScheduleKind.Interleaved : ScheduleKind.OneFOneB);
        int zero = Int("zero", 0);
        if (zero > 3) problems.Add($"{at}: input \"zero\" must be 0 to 3");
        var plan = new ParallelPlan(tp, pp, dp, cp, vpp, micro, global, (ZeroStage)Math.Min(zero, 3),
            Name("recompute", ScheduleNames.Recompute, RecomputeMode.None), Bool("sequenceParallel", false), schedule,
            Name("precision", ScheduleNames.Precision, PrecisionPolicy.Megatron), Bool("flashAttention", true), split.IsEven ? null : split);
        var options = CostOptions.Default with
        {
            Dropout = Bool("dropout", false),
            OverlapGradReduce = Bool("overlapGradReduce", true),
            OverlapP2P = Bool("overlapP2P", false),
            TpCommOverlap = Bool("tpCommOverlap", false),
            IncludeRuntimeReserve = Bool("includeRuntimeReserve", true),
        };
        if (d.TryGetValue("hostDispatchMicroseconds", out var hd))
        {
            if (hd.ValueKind == JsonValueKind.Number && hd.GetDouble() >= 0) options = options with { HostDispatchPerKernel = Seconds.FromMicroseconds(hd.GetDouble()) };
            else problems.Add($"{at}: input \"hostDispatchMicroseconds\" must be a number at least 0");
        }

        ClusterSpec? cluster = null;
        if (d.TryGetValue("cluster", out var cl))
        {
            if (cl.ValueKind != JsonValueKind.String) problems.Add($"{at}: input \"cluster\" must be a node type name");
            else
            {
                try { cluster = new ClusterSpec(catalog.Node(cl.GetString()!), Int("gpus", (int)plan.Gpus)); }
                catch (UserInputException e) { problems.AddRange(e.Problems); }
            }
        }
        double? parameters = null;
        if (d.TryGetValue("parameters", out var pe))
        {
            if (pe.ValueKind == JsonValueKind.Number && pe.GetDouble() > 0) parameters = pe.GetDouble();
            else problems.Add($"{at}: input \"parameters\" must be a positive number");
        }
        if (model is not null && cluster is not null)
            problems.AddRange(PlanValidator.Validate(model, cluster, plan).Where(i => i.Severity == Severity.Error).Select(i => $"{at}: {i.Message}"));
        if (problems.Count > 0) throw new UserInputException(problems);
        return new ReferenceInputs(model, cluster, plan, options, parameters, pipeline);
    }

    internal static string Invariant(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
