using System.Globalization;
using System.Text.RegularExpressions;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Validation;

namespace ParallelSim.Readers;

/// <summary>
/// Turns one published run into reference cases, one per reported metric, or into skipped entries with the reason.
/// The rules (also in README.md, `validate --runs`):
/// <list type="bullet">
/// <item>model: arch gpt unless an arch column says llama; kv heads = heads unless kv_heads is given; ffn_hidden empty:
/// 4 x hidden; embeddings tied (Megatron-LM's default); vocab, seq_len, layers, hidden, heads empty: skipped.</item>
/// <item>plan: tp, pp, cp empty: 1; dp empty: num_gpus / (tp x pp x cp); vpp empty: 1, "max chunks": layers / pp;
/// layers not divisible by pp but layers + 2 divisible: the first and last stage one layer fewer, the embedding and the loss
/// counted as a layer each (Megatron --account-for-embedding-in-pipeline-split --account-for-loss-in-pipeline-split; Llama 3
/// 405B and the zero-bubble paper's layout), and "max chunks" then (layers + 2) / pp;
/// micro_batch empty: 1; global_batch empty: micro_batch x dp when pp is 1 (the iteration-time case is then skipped,
/// a step's length needs its batch), the whole row skipped when pp > 1 (the bubble and the activations in flight
/// depend on the number of micro-batches); recompute empty: none; sequence_parallel empty: yes when tp > 1
/// (Megatron's practice since arXiv:2205.05198); zero_stage empty: 0. Schedule: "schedule X" in the model text (1F1B, 1F1B-I, ZB-1p read
/// as our zb-h1, ZB-2p skipped), else interleaved when vpp > 1, else 1f1b.</item>
/// <item>policy, one for every row: Megatron mixed precision, flash attention, no dropout, peak memory without the
/// CUDA context (what the framework's allocator reports), the closed-form pipeline.</item>
/// <item>GPU: <see cref="GpuNames.Match"/>, on the GPU's usual node type.</item>
/// <item>skipped too: a plan the validator rejects, and a plan partly filled in by the defaults (tp, pp or dp empty)
/// that does not fit the GPU's memory.</item>
/// </list>
/// </summary>
public static partial class PublishedRunMapping
{
    /// <summary>The columns of the reported numbers, each a case when the cell is filled.</summary>
    public static readonly string[] MetricColumns =
        ["reported_tflops_per_gpu", "reported_mfu", "reported_hfu", "reported_iter_time_s", "reported_memory_gb"];

    /// <param name="baseStack">every row's stack in place of its stack and framework columns (`--stack BASE`); its attention,
    /// precision, overlap and dropout columns still apply. Null: the row's own.</param>
    public static void Map(PublishedRun r, string suite, string file, Catalog catalog, List<ReferenceCase> cases, List<SkippedCase> skipped,
        Core.Stack.StackSpec? baseStack = null)
    {
        string name = r.Model.Length > 0 ? $"line {r.Line}: {r.Model}" : $"line {r.Line}";
        string row = $"{file} line {r.Line}";
        var reasons = new List<string>();
        void Skip(string reason) => skipped.Add(new SkippedCase(name, row, reason));

        var baseModel = ModelRef(r, catalog, reasons);
        foreach (var (column, value) in new (string, int?)[]
                 { ("layers", r.Layers ?? baseModel?.Layers), ("hidden", r.Hidden ?? baseModel?.Hidden), ("heads", r.Heads ?? baseModel?.Heads),
                   ("vocab", r.Vocab ?? baseModel?.Vocab), ("seq_len", r.SeqLen ?? baseModel?.SeqLength), ("num_gpus", r.NumGpus) })
            if (value is null) reasons.Add($"{column} is empty{(r.ModelRef.Length > 0 ? " (and model_ref gives none)" : "")}");
        var stack = RowStack(r, catalog, reasons, baseStack);
        GpuSpec? gpu = null;
        if (r.Gpu.Length == 0) reasons.Add("gpu is empty");
        else
        {
            (gpu, string why) = GpuNames.Match(r.Gpu, catalog);
            if (gpu is null) reasons.Add(why);
        }
        RecomputeMode recompute = RecomputeMode.None;
        if (r.Recompute.Length > 0 && !ScheduleNames.Recompute.TryGetValue(r.Recompute, out recompute))
            reasons.Add($"recompute \"{r.Recompute}\" is not modelled (valid: full, selective, none)");
        ScheduleKind? schedule = null;
        if (ScheduleInText().Match(r.Model) is { Success: true } sm)
        {
            switch (sm.Groups[1].Value.ToUpperInvariant())
            {
                case "1F1B": schedule = ScheduleKind.OneFOneB; break;
                case "1F1B-I": schedule = ScheduleKind.Interleaved; break;
                // arXiv:2401.10241: ZB-1p is the searched schedule within 1F1B's peak memory; the handcrafted ZB-H1 (same memory) is our closest
                case "ZB-1P": schedule = ScheduleKind.ZeroBubbleH1; break;
                case "ZB-2P": reasons.Add("ZB-2p not implemented"); break;
                default: reasons.Add($"schedule \"{sm.Groups[1].Value}\" in the model text is not known (known: 1F1B, 1F1B-I, ZB-1p, ZB-2p)"); break;
            }
        }
        if (r.Cluster.Length > 0 && !catalog.Nodes.ContainsKey(r.Cluster))
            reasons.Add($"cluster \"{r.Cluster}\" is not a catalog node type (known: {string.Join(", ", catalog.Nodes.Keys.Order(StringComparer.OrdinalIgnoreCase))})");
        var reported = Reported(r);
        if (reported.Count == 0) reasons.Add($"no reported number ({string.Join(", ", MetricColumns)} all empty)");
        if (reasons.Count > 0) { Skip(string.Join("; ", reasons)); return; }

        int layers = (r.Layers ?? baseModel?.Layers)!.Value, hidden = (r.Hidden ?? baseModel?.Hidden)!.Value, heads = (r.Heads ?? baseModel?.Heads)!.Value;
        int gpus = r.NumGpus!.Value;
        int tp = r.Tp ?? 1, pp = r.Pp ?? 1, cp = r.Cp ?? 1;
        long modelParallel = (long)tp * pp * cp;
        int dp;
        if (r.Dp is int d) dp = d;
        else if (gpus % modelParallel == 0) dp = (int)(gpus / modelParallel);
        else { Skip($"num_gpus ({gpus}) is not divisible by tp x pp x cp ({tp} x {pp} x {cp}), so dp cannot be derived"); return; }
        // layers that do not divide by pp but do with the embedding and the loss counted as layers: one layer fewer on the
        // first and the last stage, as Megatron's --account-for-embedding/loss-in-pipeline-split places them
        var split = StageLayers.DefaultSplit(layers, pp);
        int counted = layers + (split is null ? 0 : 2);
        int vpp = r.VppMaxChunks ? Math.Max(1, counted / pp) : r.Vpp ?? 1;
        int micro = r.MicroBatch ?? 1;
        bool batchGiven = r.GlobalBatch is not null;
        if (!batchGiven && pp > 1)
        {
            Skip($"global_batch is empty and pp is {pp}: the pipeline bubble and the activations in flight depend on the number of micro-batches");
            return;
        }
        int global = r.GlobalBatch ?? micro * dp;
        // sequence parallelism has gone with tensor parallelism in Megatron since arXiv:2205.05198 (2022); rows that ran
        // without it (its baselines) say "no" in the column
        bool sp = r.SequenceParallel ?? tp > 1;
        var arch = r.Arch.Length > 0 ? ScheduleNames.Arch[r.Arch] : baseModel?.Arch ?? Architecture.Gpt;

        // model_ref's KV heads and FFN width hold only for its own heads and hidden size; a row that changes those gets MHA and the
        // family's FFN rule
        bool sameHeads = baseModel is not null && baseModel.Heads == heads, sameHidden = baseModel is not null && baseModel.Hidden == hidden;
        var model = new ModelSpec(r.Model.Length > 0 ? r.Model : name, arch, layers, hidden, heads, r.KvHeads ?? (sameHeads ? baseModel!.KvHeads : heads),
            r.FfnHidden ?? (sameHidden ? baseModel!.FfnHidden : arch == Architecture.Llama ? (int)Math.Ceiling(8.0 * hidden / 3 / 256) * 256 : 4 * hidden),
            (r.Vocab ?? baseModel?.Vocab)!.Value, (r.SeqLen ?? baseModel?.SeqLength)!.Value, TiedEmbeddings: baseModel?.TiedEmbeddings ?? true, new Source(r.Source, row));
        // an empty recompute column, when the row reports both TFLOP/s per GPU and the step time: their product over the model FLOPs
        // of the step says what the reported rate counts. About 4/3 (8N against 6N per token, arXiv:2104.04473 eq. 3) means a
        // recomputed forward was counted: the run recomputed in full
        if (r.Recompute.Length == 0 && r.TflopsPerGpu is double tf && r.IterTimeSeconds is double it && batchGiven)
        {
            double countedRatio = tf * 1e12 * gpus * it / (FlopCount.ModelFlopsPerToken(model).Value * global * model.SeqLength);
            if (countedRatio is > 1.25 and < 1.45 && (stack.RecomputeModes is not { } rm || rm.Contains(RecomputeMode.Full))) recompute = RecomputeMode.Full;
        }
        var plan = new ParallelPlan(tp, pp, dp, cp, vpp, micro, global, (ZeroStage)(r.ZeroStage ?? 0), recompute, sp,
            schedule ?? (vpp > 1 ? ScheduleKind.Interleaved : ScheduleKind.OneFOneB), stack.Precision, stack.FlashAttention, split);
        var node = catalog.Node(r.Cluster.Length > 0 ? r.Cluster : gpu!.DefaultNode);
        if (!string.Equals(node.Gpu.Name, gpu!.Name, StringComparison.OrdinalIgnoreCase))
        {
            Skip($"cluster {node.Name} has {node.Gpu.Name} GPUs, not the row's {gpu.Name}");
            return;
        }
        var cluster = new ClusterSpec(node, gpus);
        var errors = PlanValidator.Validate(model, cluster, plan).Where(i => i.Severity == Severity.Error).Select(i => i.Message).ToArray();
        if (errors.Length > 0) { Skip("plan not valid: " + string.Join("; ", errors)); return; }

        var options = CostOptions.Default.ForStack(stack) with { IncludeRuntimeReserve = false };
        {
            // the plan must fit: a run that reported a number did not run out of memory, so a plan that does not fit is not the
            // plan that ran (a default filled in wrongly, or memory the model over-counts: either way not a throughput check)
            var memory = Evaluator.Evaluate(model, cluster, plan, options).Memory;
            // empty recompute or zero_stage columns: the least change with which the plan fits, as a run that reported a number did
            // fit. Less recomputation first (it costs time), and for each the ZeRO stages the stack ships in increasing order (a
            // sharded optimizer costs little time); only modes and stages the row's stack has
            if (memory.Verdict == MemoryVerdict.DoesNotFit && (r.Recompute.Length == 0 || r.ZeroStage is null))
                foreach (var rc in r.Recompute.Length > 0 || recompute == RecomputeMode.Full ? [recompute] : new[] { RecomputeMode.None, RecomputeMode.Selective, RecomputeMode.Full })
                {
                    if (stack.RecomputeModes is { } modes && !modes.Contains(rc)) continue;
                    var zeros = r.ZeroStage is int z ? [(ZeroStage)z] : stack.ZeroStages ?? [ZeroStage.None, ZeroStage.OptimizerStates];
                    var found = zeros.Order().Select(zs => plan with { Recompute = rc, Zero = zs })
                        .Select(p => (Plan: p, Memory: Evaluator.Evaluate(model, cluster, p, options).Memory))
                        .FirstOrDefault(x => x.Memory.Verdict != MemoryVerdict.DoesNotFit);
                    if (found.Plan is not null) { plan = found.Plan; recompute = rc; memory = found.Memory; break; }
                }
            if (memory.Verdict == MemoryVerdict.DoesNotFit)
            {
                bool defaulted = r.Tp is null || r.Pp is null || r.Dp is null;
                Skip(string.Create(CultureInfo.InvariantCulture,
                    $"the plan{(defaulted ? " filled in" : "")} (tp {tp} pp {pp} dp {dp}, micro-batch {micro}, recompute {ScheduleNames.Name(recompute)}) needs {memory.Peak.GiB:F0} GiB per GPU ({memory.Reserved.GiB:F0} GiB with the allocator's cache), beyond the model's error of the {gpu.Name}'s {memory.Capacity.GiB:F0} GiB: {(defaulted ? "not the plan that ran" : "the run fitted, so the memory model or a defaulted column is off")}"));
                return;
            }
        }
        var inputs = new ReferenceInputs(model, cluster, plan, options, Parameters: null, ReferencePipeline.ClosedForm);
        foreach (var (column, value) in reported)
        {
            if (column == "reported_iter_time_s" && !batchGiven)
            {
                Skip("reported_iter_time_s not compared: global_batch is empty, so the step's size is unknown");
                continue;
            }
            var metric = column switch
            {
                "reported_mfu" => ReferenceMetric.Mfu,
                "reported_hfu" => ReferenceMetric.Hfu,
                "reported_iter_time_s" => ReferenceMetric.IterationSeconds,
                // arXiv:2104.04473 eq. 3 (the published TFLOP/s convention) counts the recomputed forward: with full
                // recomputation that is the hardware rate, otherwise the model rate (MFU x peak)
                // unless the row states its convention (tflops_convention model|hardware)
                "reported_tflops_per_gpu" => r.TflopsConvention switch
                {
                    "model" => ReferenceMetric.ModelTflopsPerGpu,
                    "hardware" => ReferenceMetric.HardwareTflopsPerGpu,
                    _ => recompute == RecomputeMode.Full ? ReferenceMetric.HardwareTflopsPerGpu : ReferenceMetric.ModelTflopsPerGpu,
                },
                // decimal GB unless the notes say GiB
                _ => r.Notes.Contains("GiB", StringComparison.Ordinal) ? ReferenceMetric.PeakGiB : ReferenceMetric.PeakGB,
            };
            cases.Add(new ReferenceCase(suite, name, new Source(r.Source, $"{row}, {column}"), inputs, metric, value, TolerancePct: null, PrintedResolution: 0));
        }
    }

    /// <summary>
    /// The framework's representative stack when a row names a framework but no stack (each from that framework's own public sources).
    /// </summary>
    public static readonly IReadOnlyDictionary<Core.Stack.Framework, string> FrameworkStacks = new Dictionary<Core.Stack.Framework, string>
    {
        [Core.Stack.Framework.Megatron] = Catalog.DefaultStack,
        [Core.Stack.Framework.MegatronDeepSpeed] = "megatron-deepspeed-2022",
        [Core.Stack.Framework.DeepSpeed] = "deepspeed-zero3-2021",
        [Core.Stack.Framework.Fsdp] = "pytorch-fsdp-2023",
        [Core.Stack.Framework.Torch] = "torchtitan-fsdp2-2024",
    };

    /// <summary>
    /// The row's stack: <paramref name="baseStack"/> when given, else its stack column (a name or profile), else its framework's
    /// representative stack, else the default; then its attention, precision, overlap and dropout columns over it. An FP8 row is not
    /// modelled yet and gives a reason.
    /// </summary>
    private static Core.Stack.StackSpec RowStack(PublishedRun r, Catalog catalog, List<string> reasons, Core.Stack.StackSpec? baseStack)
    {
        var stack = baseStack ?? OwnStack(r, catalog, reasons);
        if (r.Attention.Length > 0) stack = catalog.WithAttention(stack, Core.Stack.StackNames.Attention[r.Attention]);
        if (r.Precision.Length > 0)
        {
            var dtype = Core.Stack.StackNames.Dtypes[r.Precision];
            if (dtype == Core.Stack.ComputeDtype.Fp8) reasons.Add("precision fp8 is not modelled yet");
            stack = stack with { Dtype = dtype };
        }
        if (r.Overlap is bool o) stack = stack with { Overlap = o };
        if (r.Dropout is bool d) stack = stack with { Dropout = d };
        return stack;
    }

    /// <summary>The stack column (a name or profile), else the framework's representative stack, else the default.</summary>
    private static Core.Stack.StackSpec OwnStack(PublishedRun r, Catalog catalog, List<string> reasons)
    {
        if (r.Stack.Length > 0)
        {
            try { return catalog.Stack(r.Stack); }
            catch (UserInputException e) { reasons.Add("stack: " + string.Join("; ", e.Problems)); }
        }
        else if (r.Framework.Length > 0)
        {
            var framework = Core.Stack.StackNames.Frameworks[r.Framework];
            return Core.Stack.FrameworkBehaviour.Apply(catalog.Stack(FrameworkStacks[framework]), framework);
        }
        return catalog.Stack(Catalog.DefaultStack);
    }

    /// <summary>The model_ref column: a catalog name or a model file (ParallelSim or Hugging Face JSON); null when empty or not found.</summary>
    private static ModelSpec? ModelRef(PublishedRun r, Catalog catalog, List<string> reasons)
    {
        if (r.ModelRef.Length == 0) return null;
        if (catalog.Models.TryGetValue(r.ModelRef, out var m)) return m;
        if (r.ModelRef.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && File.Exists(r.ModelRef))
        {
            try { return Catalog.LoadModelFile(r.ModelRef); }
            catch (UserInputException e) { reasons.Add("model_ref: " + string.Join("; ", e.Problems)); }
        }
        // a reference we cannot open (e.g. a path in another repository) is a note, not a model: the shape columns must hold the shape
        return null;
    }

    private static List<(string Column, double Value)> Reported(PublishedRun r)
    {
        var list = new List<(string, double)>();
        foreach (var (column, value) in new (string, double?)[]
                 { ("reported_tflops_per_gpu", r.TflopsPerGpu), ("reported_mfu", r.Mfu), ("reported_hfu", r.Hfu), ("reported_iter_time_s", r.IterTimeSeconds), ("reported_memory_gb", r.MemoryGb) })
            if (value is double v) list.Add((column, v));
        return list;
    }

    [GeneratedRegex(@"\bschedule\s+([A-Za-z0-9-]+)", RegexOptions.IgnoreCase)]
    private static partial Regex ScheduleInText();
}
