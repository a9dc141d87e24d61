using System.Text.Json;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Validation;

namespace ParallelSim.Readers;

/// <summary>How the three suites of one measurement file are named: "{Prefix}-iteration", "{Title}: iteration time", ...</summary>
public sealed record TrainSuiteNaming(string Prefix, string Title, string Source)
{
    /// <summary>The label of all three suites (a user's file: unlabelled).</summary>
    public Core.Validation.SampleLabel Sample { get; init; } = Core.Validation.SampleLabel.Unlabelled;
    /// <summary>What was fitted or chosen on each suite, by suffix (iteration, peak, static); absent: "not stated".</summary>
    public IReadOnlyDictionary<string, string> FittedTo { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Reads single-GPU training measurements in JSON lines (the format of configs/calibration/h200/train.jsonl, README
/// beside it) into three suites: iteration time (iter_s, suite MAPE at most 15%), peak allocated memory (peak_bytes,
/// 10% per case) and memory allocated between iterations (static_bytes, 2% per case). The embedded h200-train-* suites
/// come from here too.
/// <para>Each row: layers, hidden, heads, vocab, micro_batch, accum, recompute (none|selective|full), precision
/// (torch-amp-bf16 only); optional model (a name), seq (2048), arch (gpt|llama), ffn_hidden (4 x hidden), kv_heads
/// (heads), tied_embeddings (true), gpu (else --gpu, else H200), oom (true: nothing measured; the row's plan is checked for an
/// out-of-memory verdict, as every row is, in a fourth suite "{Prefix}-oom"). Other fields are measurement
/// extras (fwd_s, reserved_bytes, tokens_per_s, ...) and are ignored. A row outside what is modelled (another precision,
/// recompute mode, architecture or GPU, or a plan the validator rejects) is skipped with its reason; a malformed number
/// is an error.</para>
/// </summary>
public static class TrainMeasurementsReader
{
    public const string Precision = "torch-amp-bf16";
    public const int DefaultSeq = 2048;

    private static readonly (string Field, string Suffix, string Title, ReferenceMetric Metric, double? TolerancePct, double? MapeLimitPct)[] Kinds =
    [
        ("iter_s", "iteration", "iteration time", ReferenceMetric.IterationSeconds, null, 15),
        ("peak_bytes", "peak", "peak allocated memory", ReferenceMetric.PeakBytes, 10, null),
        ("static_bytes", "static", "memory allocated between iterations", ReferenceMetric.StaticBytes, 2, null),
    ];

    private sealed record Row(int Line, string Name, ReferenceInputs? Inputs, Dictionary<string, double> Measured, string? SkipReason, bool Oom = false);

    /// <param name="where">the file as errors name it</param>
    /// <param name="file">the file as locators name it ("train.jsonl")</param>
    public static IReadOnlyList<ReferenceSuite> Read(string text, string where, string file, Catalog catalog, GpuSpec defaultGpu, TrainSuiteNaming naming)
    {
        var rows = new List<Row>();
        var problems = new List<string>();
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            if (raw.Trim().Length == 0) continue;
            string at = $"{where} line {lineNo}";
            try { rows.Add(ReadRow(raw, lineNo, at, catalog, defaultGpu)); }
            catch (UserInputException e) { problems.AddRange(e.Problems); }
        }
        if (problems.Count > 0) throw new UserInputException(problems);
        if (rows.Count == 0) throw new UserInputException($"{where}: no measurements (one JSON object per line)");

        // names repeat when rows differ only in fields the name leaves out (seq, arch): the line tells them apart
        var repeated = rows.GroupBy(r => r.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        string Name(Row r) => repeated.Contains(r.Name) ? $"{r.Name} (line {r.Line})" : r.Name;

        var source = new Source(naming.Source);
        return Kinds.Select(k =>
        {
            string suite = $"{naming.Prefix}-{k.Suffix}";
            var cases = new List<ReferenceCase>();
            var skipped = new List<SkippedCase>();
            foreach (var r in rows)
            {
                string locator = $"{file} line {r.Line}, {k.Field}";
                if (r.SkipReason is string why) skipped.Add(new SkippedCase(Name(r), $"{file} line {r.Line}", why));
                else if (r.Oom) skipped.Add(new SkippedCase(Name(r), $"{file} line {r.Line}", "oom: true (ran out of memory, nothing measured; checked in the out-of-memory verdicts)"));
                else if (!r.Measured.TryGetValue(k.Field, out double expected)) skipped.Add(new SkippedCase(Name(r), $"{file} line {r.Line}", $"{k.Field} not measured"));
                else cases.Add(new ReferenceCase(suite, Name(r), new Source(naming.Source, locator), r.Inputs!, k.Metric, expected, k.TolerancePct, 0));
            }
            return new ReferenceSuite(suite, $"{naming.Title}: {k.Title}", source, k.MapeLimitPct, cases, skipped)
            {
                Sample = naming.Sample, FittedTo = naming.FittedTo.TryGetValue(k.Suffix, out var fitted) ? fitted : "not stated",
            };
        }).Append(Verdicts(rows, Name, file, naming, source)).ToArray();
    }

    /// <summary>
    /// Whether each row fits, as measured: a row that ran must not be called out of memory (fits or tight), a row that ran out
    /// of memory must be (what the allocator would reserve beyond the capacity). The verdict counts the CUDA context and NCCL
    /// buffers, as the real capacity does.
    /// </summary>
    private static ReferenceSuite Verdicts(List<Row> rows, Func<Row, string> name, string file, TrainSuiteNaming naming, Source source)
    {
        string suite = $"{naming.Prefix}-oom";
        var cases = new List<ReferenceCase>();
        var skipped = new List<SkippedCase>();
        foreach (var r in rows)
        {
            if (r.Inputs is null) { skipped.Add(new SkippedCase(name(r), $"{file} line {r.Line}", r.SkipReason ?? "not evaluated")); continue; }
            var inputs = r.Inputs with { Options = r.Inputs.Options with { IncludeRuntimeReserve = true } };
            var metric = r.Oom ? ReferenceMetric.OutOfMemoryAsMeasured : ReferenceMetric.RanAsMeasured;
            cases.Add(new ReferenceCase(suite, name(r), new Source(naming.Source, $"{file} line {r.Line}, oom"), inputs, metric, 1, 0, 0));
        }
        return new ReferenceSuite(suite, $"{naming.Title}: out-of-memory verdicts", source, null, cases, skipped)
        {
            Sample = naming.Sample, FittedTo = naming.FittedTo.TryGetValue("oom", out var fitted) ? fitted : "not stated",
        };
    }

    private static Row ReadRow(string line, int lineNo, string at, Catalog catalog, GpuSpec defaultGpu)
    {
        using var doc = JsonFields.Parse(line, at);
        var j = JsonFields.Of(doc.RootElement, at);
        var root = doc.RootElement;
        string model = j.String("model", $"line {lineNo}");
        // a row that ran out of memory has its plan but nothing measured: it is checked only for the verdict
        bool oom = j.Has("oom") && j.Bool("oom");

        int layers = j.Int("layers"), hidden = j.Int("hidden"), heads = j.Int("heads"), vocab = j.Int("vocab");
        int seq = j.Int("seq", DefaultSeq), micro = j.Int("micro_batch"), accum = j.Int("accum");
        int ffn = j.Int("ffn_hidden", 4 * Math.Max(1, hidden)), kv = j.Int("kv_heads", Math.Max(1, heads));
        bool tied = j.Bool("tied_embeddings", true);
        string arch = j.String("arch", "gpt"), recomputeName = j.String("recompute"), precision = j.String("precision");
        string gpuName = j.String("gpu", "");
        var problems = j.Problems; // every problem of the row at once; the other fields are measurement extras, ignored
        var measured = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (field, _, _, _, _, _) in oom ? [] : Kinds)
        {
            if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) continue;
            if (v.ValueKind == JsonValueKind.Number && v.GetDouble() is var d && d > 0 && double.IsFinite(d)) measured[field] = d;
            else problems.Add($"{at}: \"{field}\" is {v.GetRawText()}; it must be a number above 0 (or null when not measured)");
        }
        // a well-formed row the model does not cover (another architecture, recompute mode, precision or GPU) is skipped
        // with its reason, as `--runs` does, so one such row does not stop the others from being checked
        var skip = new List<string>();
        if (!ScheduleNames.Arch.TryGetValue(arch, out var a))
            skip.Add($"arch \"{arch}\" is not modelled (valid: {string.Join(", ", ScheduleNames.Arch.Keys)})");
        if (!ScheduleNames.Recompute.TryGetValue(recomputeName, out var recompute))
            skip.Add($"recompute \"{recomputeName}\" is not modelled (valid: {string.Join(", ", ScheduleNames.Recompute.Keys)})");
        if (precision != Precision)
            skip.Add($"precision \"{precision}\" is not modelled for these measurements (valid: {Precision}: PyTorch autocast bf16 with fp32 weights, gradients and AdamW states)");
        var gpu = defaultGpu;
        if (gpuName.Length > 0)
        {
            var (g, why) = GpuNames.Match(gpuName, catalog);
            if (g is null) skip.Add(why); else gpu = g;
        }
        string name = $"{model} mb {micro} recompute {recomputeName}";
        // an out-of-memory row that does not state its whole plan is listed, not an error: nothing else of it is read
        if (oom && problems.Count > 0) return new Row(lineNo, model, null, measured, $"oom: true, and the row does not state its whole plan ({problems.Count} fields missing or malformed): no verdict checked", true);
        if (problems.Count > 0) throw new UserInputException(problems);
        if (skip.Count > 0) return new Row(lineNo, name, null, measured, string.Join("; ", skip), oom);

        // the README's setup: one GPU, no parallelism, `accum` micro-batches of `micro_batch` sequences per iteration
        var spec = new ModelSpec(model, a, layers, hidden, heads, kv, ffn, vocab, seq, tied, new Source("measurement", at));
        var plan = new ParallelPlan(1, 1, 1, 1, 1, micro, micro * accum, ZeroStage.None, recompute, SequenceParallel: false,
            ScheduleKind.OneFOneB, PrecisionPolicy.TorchAmp, FlashAttention: true);
        var cluster = new ClusterSpec(catalog.Node(gpu.DefaultNode), 1);
        var errors = PlanValidator.Validate(spec, cluster, plan).Where(i => i.Severity == Severity.Error).Select(i => i.Message).ToArray();
        if (errors.Length > 0) return new Row(lineNo, name, null, measured, "not a valid plan: " + string.Join("; ", errors), oom);
        // max_memory_allocated excludes the CUDA context and the allocator's cache, so no runtime reserve
        var options = CostOptions.Default with { Dropout = false, IncludeRuntimeReserve = false };
        return new Row(lineNo, name, new ReferenceInputs(spec, cluster, plan, options, null), measured, null, oom);
    }
}
