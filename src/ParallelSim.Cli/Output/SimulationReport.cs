using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Output;

/// <summary>Renders a simulation result as tables (text, Markdown, CSV) or one JSON object.</summary>
public static class SimulationReport
{
    /// <summary><paramref name="scheduleFile"/> names the --schedule-file the pipeline ran, when one did.</summary>
    public static string Render(SimulationResult r, OutputFormat format, string? scheduleFile = null) =>
        format == OutputFormat.Json ? Json(r, scheduleFile).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n"
        : format == OutputFormat.Csv ? Tables(r, scheduleFile).Last().Render(format) // CSV: the one-row summary
        : string.Join("\n", Tables(r, scheduleFile).Select(t => t.Render(format)));

    public static IReadOnlyList<TextTable> Tables(SimulationResult r, string? scheduleFile = null)
    {
        var m = r.Model; var c = r.Cluster; var p = r.Plan;
        var setup = new TextTable($"ParallelSim: {m.Name} on {c.Gpus} x {c.Gpu.Name} ({c.Nodes} x {c.Name})", "what", "value");
        setup.Add("model", $"{m.Name}: {ScheduleNames.Name(m.Arch)}, {N(m.Parameters)} parameters, {m.Layers} layers, hidden {m.Hidden}, {m.Heads} heads ({m.KvHeads} KV), FFN {m.FfnHidden}, vocab {m.Vocab}, seq {m.SeqLength}{(m.TiedEmbeddings ? ", tied embeddings" : "")}");
        setup.Add("cluster", $"{c.Gpus} GPUs, {c.GpusPerNode} per node, {F(c.Gpu.PeakBf16.Tflops, 1)} TFLOP/s bf16 peak, {F(c.Gpu.Memory.GiB, 1)} GiB each");
        setup.Add("plan", $"tp {p.Tp}, pp {p.Pp}, dp {p.Dp}, cp {p.Cp}, vpp {p.Vpp}; micro-batch {p.MicroBatch}, global batch {p.GlobalBatch} ({p.MicroBatches} micro-batches)");
        if (p.Split is { IsEven: false } split) setup.Add("layers", LayerPlacement(r, split));
        setup.Add("policy", $"{ScheduleNames.Name(p.Schedule)}, ZeRO {(int)p.Zero}, recompute {ScheduleNames.Name(p.Recompute)}, sequence parallel {(p.SequenceParallel ? "on" : "off")}, {ScheduleNames.Name(p.Precision)} precision, flash attention {(p.FlashAttention ? "on" : "off")}");
        var st = r.Costs.Stack;
        setup.Add("stack", $"{st.Name}: {Core.Stack.StackNames.Name(st.Framework)}, {Core.Stack.StackNames.Name(st.Attention)} attention, {Core.Stack.StackNames.Name(st.Dtype)}, overlap {(st.Overlap ? "on" : "off")}, dropout {(st.Dropout ? "on" : "off")}, NIC at {F(st.NicEfficiency * 100, 0)}% of line rate ({st.DataParallelRing.ToString().ToLowerInvariant()} rings)");
        setup.Add("flops", "MFU = model FLOPs (PaLM, arXiv:2204.02311 App. B: 6N + 12·L·h·s per token, causal attention counted as the full s x s product, twice what the kernels run) over the dense bf16 peak; HFU adds recomputation");
        if (scheduleFile is not null) setup.Add("schedule", $"from {scheduleFile} (validated; the policy names the cost model's view of it)");
        foreach (var w in r.Warnings) setup.Add("warning", w.Message);

        // DualPipeV's V: a rank's row covers two virtual stages, and rank 0 holds both ends of the model
        string chunks = p.Schedule == ScheduleKind.DualPipeV ? $"; dualpipev: stage r holds virtual stages r and {2 * p.Pp - 1} - r, stage 0 the embedding and the loss" : "";
        // fits: the peak plus what the caching allocator keeps cached stays below the capacity less the model's known memory error;
        // tight: within that error of the capacity, either side
        var mem = new TextTable($"Memory per GPU by pipeline stage (GiB; capacity {F(r.Memory.Capacity.GiB, 1)} GiB{chunks}; fits: peak + {F(r.Memory.HeldFraction * 100, 1)}% allocator cache <= capacity - {F(r.Memory.Margin * 100, 0)}%, tight: within {F(r.Memory.Margin * 100, 0)}% of it)",
            "stage", "layers", "weights", "grads", "optimizer", "activations", "in flight", "other", "peak", "fits");
        foreach (var i in Enumerable.Range(1, 9)) mem.RightAligned.Add(i);
        foreach (var s in r.Memory.Stages)
            mem.Add(s.Stage.ToString(), s.Layers.ToString(), F(s.Weights.GiB), F(s.Gradients.GiB), F(s.Optimizer.GiB), F(s.Activations.GiB),
                F(s.MicroBatchesInFlight, 2), F(s.Other.GiB), F(s.Peak.GiB), r.Memory.VerdictFor(s.Peak) is var v && v == MemoryVerdict.DoesNotFit ? "NO" : MemoryReport.Text(v));

        var t = r.Time;
        var time = new TextTable("Time per step (ms)", "part", "ms", "note");
        time.RightAligned.Add(1);
        // ZB-H2's parallelogram needs consecutive steps to overlap (arXiv:2401.10241 §3.1, §4): its pipeline part is one rank's span
        time.Add("step", F(t.Step.Milliseconds, 1), p.Schedule == ScheduleKind.ZeroBubbleH2 && scheduleFile is null
            ? "pipeline (longest span of one rank: zb-h2 overlaps steps) + exposed DP + optimizer" : "pipeline + exposed DP + optimizer");
        time.Add("compute", F(t.Compute.Milliseconds, 1), "busiest rank, all micro-batches");
        time.Add("bubble", F(t.Bubble.Milliseconds, 1), $"{Pct(t.BubbleFraction)}: idle compute over total, averaged over ranks");
        time.Add("tp comm", F(t.TpComm.Milliseconds, 1), "exposed, inside compute");
        time.Add("pp comm", F(t.PpComm.Milliseconds, 1), "point-to-point, per rank");
        time.Add("dp comm", F(t.DpComm.Milliseconds, 1), "gradient reduction (+ ZeRO gathers)");
        time.Add("cp comm", F(t.CpComm.Milliseconds, 1), "K/V ring exchange");
        time.Add("exposed comm", F(t.ExposedComm.Milliseconds, 1), "not hidden behind compute");
        time.Add("optimizer", F(t.Optimizer.Milliseconds, 1), "Adam step, memory-bound");

        var th = r.Throughput;
        var summary = new TextTable("Summary", "step_ms", "tokens_per_s", "model_tflops_per_gpu", "hw_tflops_per_gpu", "mfu", "hfu", "bubble", "peak_gib", "capacity_gib", "fits");
        foreach (var i in Enumerable.Range(0, 9)) summary.RightAligned.Add(i);
        summary.Add(F(t.Step.Milliseconds, 1), F(th.TokensPerSecond, 0), F(th.ModelFlopsPerGpu.Tflops, 1), F(th.HardwareFlopsPerGpu.Tflops, 1),
            Pct(th.Mfu), Pct(th.Hfu), Pct(t.BubbleFraction), F(r.Memory.Peak.GiB, 2), F(r.Memory.Capacity.GiB, 1), r.Memory.VerdictText);
        return [setup, mem, time, summary];
    }

    /// <summary>"first 7, last 7: 7 | 8 x 14 | 7 layers per stage" (with chunks, each rank's chunks in brackets).</summary>
    public static string LayerPlacement(SimulationResult r, LayerSplit split)
    {
        var p = r.Plan;
        int v = PipelineChunks.PerRank(p);
        var chunks = StageLayers.PerVirtualStage(r.Model, p);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var ranks = Enumerable.Range(0, p.Pp).Select(rank => v == 1 ? chunks[rank].ToString(inv)
            : "[" + string.Join(" ", Enumerable.Range(0, v).Select(c => chunks[c * p.Pp + rank].ToString(inv))) + "]").ToList();
        // runs of equal stages as "8 x 14"
        var runs = new List<string>();
        for (int i = 0; i < ranks.Count;)
        {
            int j = i;
            while (j < ranks.Count && ranks[j] == ranks[i]) j++;
            runs.Add(j - i > 1 ? ranks[i] + " x " + (j - i).ToString(inv) : ranks[i]);
            i = j;
        }
        return $"{split}: {string.Join(" | ", runs)} {(v == 1 ? "layers per stage" : "layers per chunk of each stage")}";
    }

    public static JsonObject Json(SimulationResult r, string? scheduleFile = null)
    {
        var json = Json(r);
        if (scheduleFile is not null) json["plan"]!.AsObject()["scheduleFile"] = scheduleFile;
        return json;
    }

    public static JsonObject Json(SimulationResult r)
    {
        var m = r.Model; var c = r.Cluster; var p = r.Plan; var t = r.Time; var th = r.Throughput;
        return new JsonObject
        {
            ["model"] = new JsonObject
            {
                ["name"] = m.Name, ["arch"] = ScheduleNames.Name(m.Arch), ["parameters"] = m.Parameters, ["layers"] = m.Layers,
                ["hidden"] = m.Hidden, ["heads"] = m.Heads, ["kvHeads"] = m.KvHeads, ["ffnHidden"] = m.FfnHidden,
                ["vocab"] = m.Vocab, ["seqLength"] = m.SeqLength, ["tiedEmbeddings"] = m.TiedEmbeddings,
            },
            ["cluster"] = new JsonObject
            {
                ["gpu"] = c.Gpu.Name, ["gpus"] = c.Gpus, ["gpusPerNode"] = c.GpusPerNode, ["nodes"] = c.Nodes, ["nodeType"] = c.Name,
                ["peakFlopsPerSecond"] = c.Gpu.PeakBf16.Value,
            },
            ["plan"] = new JsonObject
            {
                ["tp"] = p.Tp, ["pp"] = p.Pp, ["dp"] = p.Dp, ["cp"] = p.Cp, ["vpp"] = p.Vpp, ["microBatch"] = p.MicroBatch,
                ["globalBatch"] = p.GlobalBatch, ["microBatches"] = p.MicroBatches, ["zero"] = (int)p.Zero,
                ["recompute"] = ScheduleNames.Name(p.Recompute), ["sequenceParallel"] = p.SequenceParallel,
                ["schedule"] = ScheduleNames.Name(p.Schedule), ["precision"] = ScheduleNames.Name(p.Precision), ["flashAttention"] = p.FlashAttention,
                ["attention"] = Core.Stack.StackNames.Name(r.Costs.Stack.Attention),
                // null: layers split evenly; else Megatron's uneven split, and the layers of every virtual stage (chunk c of rank r at c·pp + r)
                ["layerSplit"] = p.Split is { IsEven: false } split ? new JsonObject
                {
                    ["firstStageLayers"] = split.FirstStageLayers, ["lastStageLayers"] = split.LastStageLayers,
                    ["embeddingAsLayer"] = split.EmbeddingAsLayer, ["lossAsLayer"] = split.LossAsLayer,
                    ["virtualStageLayers"] = new JsonArray(StageLayers.PerVirtualStage(m, p).Select(n => (JsonNode)n).ToArray()),
                } : null,
            },
            ["memory"] = new JsonObject
            {
                ["stack"] = r.Costs.Stack.Name, ["flopsConvention"] = "PaLM 6N + 12·L·h·s per token, causal attention counted full; MFU over the dense bf16 peak",
                ["fits"] = r.Memory.Fits, ["memoryVerdict"] = r.Memory.VerdictText, ["reservedBytes"] = r.Memory.Reserved.Value, ["capacityBytes"] = r.Memory.Capacity.Value, ["peakBytes"] = r.Memory.Peak.Value,
                ["limitingStage"] = r.Memory.LimitingStage,
                ["stages"] = new JsonArray(r.Memory.Stages.Select(s => (JsonNode)new JsonObject
                {
                    ["stage"] = s.Stage, ["layers"] = s.Layers, ["weightsBytes"] = s.Weights.Value, ["gradientsBytes"] = s.Gradients.Value,
                    ["optimizerBytes"] = s.Optimizer.Value, ["activationsBytes"] = s.Activations.Value, ["otherBytes"] = s.Other.Value,
                    ["peakBytes"] = s.Peak.Value, ["microBatchesInFlight"] = s.MicroBatchesInFlight,
                }).ToArray()),
            },
            ["time"] = new JsonObject
            {
                ["stepSeconds"] = t.Step.Value, ["computeSeconds"] = t.Compute.Value, ["bubbleSeconds"] = t.Bubble.Value,
                ["bubbleFraction"] = t.BubbleFraction, ["tpCommSeconds"] = t.TpComm.Value, ["ppCommSeconds"] = t.PpComm.Value,
                ["dpCommSeconds"] = t.DpComm.Value, ["cpCommSeconds"] = t.CpComm.Value, ["exposedCommSeconds"] = t.ExposedComm.Value,
                ["optimizerSeconds"] = t.Optimizer.Value,
            },
            ["throughput"] = new JsonObject
            {
                ["tokensPerSecond"] = th.TokensPerSecond, ["modelFlopsPerStep"] = th.ModelFlopsPerStep.Value,
                ["hardwareFlopsPerStep"] = th.HardwareFlopsPerStep.Value, ["modelTflopsPerGpu"] = th.ModelFlopsPerGpu.Tflops,
                ["hardwareTflopsPerGpu"] = th.HardwareFlopsPerGpu.Tflops, ["mfu"] = th.Mfu, ["hfu"] = th.Hfu,
            },
            ["warnings"] = new JsonArray(r.Warnings.Select(w => (JsonNode)JsonValue.Create(w.Message)!).ToArray()),
        };
    }
}
