using ParallelSim.Core.Costs;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using static ParallelSim.Core.Explain.StepList;

namespace ParallelSim.Core.Explain;

/// <summary>LoRA fine-tuning: adapters of rank r on the given matrices; QLoRA keeps the base in 4-bit NF4.</summary>
public sealed record LoraSettings(int Rank, IReadOnlyList<LoraTarget> Targets, bool QLora);

/// <summary>
/// Memory per GPU, term by term, from the same numbers `simulate` reports (the limiting pipeline stage of
/// <see cref="Evaluator"/>): model states by precision policy and ZeRO stage, activations, extras, total.
/// </summary>
public static class MemoryExplainer
{
    private const double GB = 1e9;

    public static Explanation Explain(SimulationResult r, CostOptions o, LoraSettings? lora = null)
    {
        var s = new StepList();
        var m = r.Model; var p = r.Plan;
        double n = s.Add($"parameters of {m.Name} (from its shape)", "embeddings + L·(attention + MLP + norms) + final norm + output layer", m.Parameters, "parameters",
            "ParameterCount (model shape)");

        // full fine-tuning or pre-training: bytes per parameter by policy, both common policies for comparison
        foreach (var policy in new[] { PrecisionPolicy.Zero, PrecisionPolicy.Megatron })
        {
            var u = ModelStateBytes.Unsharded(policy);
            string source = policy == PrecisionPolicy.Zero ? "arXiv:1910.02054 §3 (2 + 2 + K, K = 12)" : "Megatron-LM theoretical_memory_usage.py (2 + 4 + 12)";
            s.Add($"policy {ScheduleNames.Name(policy)}{(policy == p.Precision ? " (the one simulated)" : "")}: weights {u.Weights} + grads {u.Gradients} + optimizer {u.Optimizer} B/param, "
                + $"model states for {E(n)} params", $"{u.Total}·N = {u.Total}·{E(n)}", u.Total * n / GB, "GB", source);
        }
        if (p.Precision is PrecisionPolicy.TorchAmp or PrecisionPolicy.Bf16)
        {
            var u = ModelStateBytes.Unsharded(p.Precision);
            s.Add($"policy {ScheduleNames.Name(p.Precision)} (the one simulated): {u.Weights} + {u.Gradients} + {u.Optimizer} B/param", $"{u.Total}·N", u.Total * n / GB, "GB", "ModelStateBytes");
        }

        var stage = r.Memory.Stages[r.Memory.LimitingStage];
        var cost = r.Costs.Stages[r.Memory.LimitingStage];
        double stageParams = s.Add($"parameters on one GPU of stage {stage.Stage} ({stage.Layers} of {m.Layers} layers, ÷ tp {p.Tp})",
            $"stage params / tp = {E(cost.Parameters)}/{p.Tp}", (double)cost.Parameters / p.Tp, "parameters", "Megatron layer split (arXiv:1909.08053 §3)");

        double states;
        double activations = stage.Activations.Value, other = stage.Other.Value;
        if (lora is null)
        {
            var b = ModelStateBytes.Sharded(p.Precision, p.Zero, p.Dp);
            string zeroText = p.Zero switch
            {
                ZeroStage.None => "no ZeRO: every GPU holds all states of its parameters",
                ZeroStage.OptimizerStates => $"ZeRO-1{(p.Precision == PrecisionPolicy.Megatron ? " (distributed optimizer)" : "")}: optimizer states ÷ dp {p.Dp}",
                ZeroStage.Gradients => $"ZeRO-2: optimizer states and gradients ÷ dp {p.Dp}",
                _ => $"ZeRO-3: optimizer states, gradients and weights ÷ dp {p.Dp}",
            };
            s.Add($"bytes per parameter on each GPU, {zeroText}", $"{G(b.Weights)} + {G(b.Gradients)} + {G(b.Optimizer)}", b.Total, "B/param",
                "arXiv:1910.02054 Table 1 (P_os, P_os+g, P_os+g+p)");
            states = s.Add("model states per GPU", $"{G(b.Total)} B/param × {E(stageParams)}", (stage.Weights + stage.Gradients + stage.Optimizer).Value / GB, "GB",
                "arXiv:1910.02054 §5") * GB;
        }
        else states = LoraStates(s, r, lora, stage.Layers, cost.Parameters);

        double perLayer = ActivationMemory.PerLayer(m, p, o.Dropout);
        s.Add($"activations per layer per micro-batch (s {m.SeqLength}, b {p.MicroBatch}, h {m.Hidden}, a {m.Heads}; recompute {ScheduleNames.Name(p.Recompute)}, "
            + $"SP {(p.SequenceParallel ? "on" : "off")}, flash {(p.FlashAttention ? "on" : "off")}, dropout {(o.Dropout ? "on" : "off")})",
            "term by term from sbh(34 + 5as/h) (÷ t, SP); 2sbh with full recompute", perLayer / GB, "GB", "arXiv:2205.05198 §4 eq. 1-6");
        s.Add($"activations per micro-batch on this stage ({stage.Layers} layers + embedding/logits inputs)", $"{stage.Layers} × {G(perLayer / GB)} GB + stage extras",
            cost.ActivationsPerMicroBatch.Value / GB, "GB", "arXiv:2205.05198 §4.3");
        s.Add($"micro-batches in flight on stage {stage.Stage} ({ScheduleNames.Name(p.Schedule)}, p {p.Pp}, m {p.MicroBatches})",
            p.Schedule switch
            {
                ScheduleKind.GPipe => "GPipe: m",
                ScheduleKind.OneFOneB => "1F1B: min(p - r, m)",
                ScheduleKind.ZeroBubbleH1 => "ZB-H1: min(p - r, m), as 1F1B (arXiv:2401.10241 Table 2)",
                ScheduleKind.ZeroBubbleH2 => "ZB-H2: min(2(p - r) - 1, m), 2p - 1 on rank 0 (arXiv:2401.10241 Table 2)",
                ScheduleKind.DualPipeV => "DualPipeV: p + 1/2 on every rank, 2p + 1 chunks of half its layers (deepseek-ai/DualPipe README: PP + 1 stages, PP = 2p)",
                _ => "interleaved: p(1 + (p-1)/(p·v)) on rank 0",
            },
            stage.MicroBatchesInFlight, "micro-batches", "arXiv:2104.04473 §2.2; arXiv:2205.05198 §4.2.3");
        s.Add("activations held at the peak", $"{G(cost.ActivationsPerMicroBatch.Value / GB)} GB × {G(stage.MicroBatchesInFlight)}", activations / GB, "GB",
            "product of the two above");
        s.Add("other: CUDA context, NCCL buffers, fp32 logits and their gradient, ZeRO-3 gathered layers", "named extras of the cost model", other / GB, "GB", "CostModel");
        double total = states + activations + other;
        double capacity = r.Memory.Capacity.Value;
        s.Add("total per GPU", $"{G(states / GB)} + {G(activations / GB)} + {G(other / GB)}", total / GB, "GB", "sum");
        bool fits = total <= capacity;
        s.Add($"capacity of one {r.Cluster.Gpu.Name} ({F(r.Memory.Capacity.GiB, 0)} GiB)", $"{F(r.Memory.Capacity.GiB, 0)} GiB = {F(r.Memory.Capacity.GiB, 0)}·2^30 B", capacity / GB, "GB", "GPU spec");
        s.Note(fits ? $"fits: {F(total / GB, 1)} GB ≤ {F(capacity / GB, 1)} GB, {F((capacity - total) / GB, 1)} GB spare"
                    : $"does NOT fit: {F(total / GB, 1)} GB > {F(capacity / GB, 1)} GB; try ZeRO over more GPUs, tp/pp, recompute full, or LoRA");
        string what = lora is null ? "training" : lora.QLora ? "QLoRA fine-tuning" : "LoRA fine-tuning";
        return s.Answer("memory", total / GB, "GB",
            $"{what} {m.Name} needs {F(total / GB, 1)} GB per GPU on {r.Cluster.Gpus} x {r.Cluster.Gpu.Name}: {(fits ? "fits" : "does not fit")} in {F(capacity / GB, 1)} GB");
    }

    /// <summary>LoRA model states on one GPU of the stage: frozen base (bf16 or NF4) and adapters with full optimizer states.</summary>
    private static double LoraStates(StepList s, SimulationResult r, LoraSettings lora, int layers, long stageParams)
    {
        var m = r.Model; var p = r.Plan;
        double t = p.Tp, zeroShard = p.Zero == ZeroStage.Parameters ? p.Dp : 1;
        double adaptersPerLayer = LoraMemory.AdapterParametersPerLayer(m, lora.Rank, lora.Targets);
        s.Add($"LoRA adapters of rank {lora.Rank} on {string.Join(", ", lora.Targets.Select(x => x.ToString().ToLowerInvariant()))}, per layer",
            "Σ r·(d_in + d_out) over the adapted matrices", adaptersPerLayer, "parameters", "arXiv:2106.09685 §4.1");
        double adapters = s.Add($"trainable adapter parameters ({m.Layers} layers), {F(100.0 * adaptersPerLayer * m.Layers / m.Parameters, 3)}% of the model",
            $"{m.Layers} × {G(adaptersPerLayer)}", adaptersPerLayer * m.Layers, "parameters", "arXiv:2106.09685 §4.1");
        double quantisable = layers * (double)LoraMemory.QuantisableParametersPerLayer(m);
        double baseBytes;
        if (lora.QLora)
            baseBytes = s.Add("frozen base: block linear weights in NF4 (4.127 bits), embeddings/norms/biases in bf16, ÷ tp",
                $"({E(quantisable)}·{G(LoraMemory.Nf4BytesPerParameter)} + {E(stageParams - quantisable)}·2)/{t}",
                (quantisable * LoraMemory.Nf4BytesPerParameter + (stageParams - quantisable) * LoraMemory.Bf16BytesPerParameter) / t / zeroShard / GB, "GB",
                "arXiv:2305.14314 §3 (NF4 + double quantisation)") * GB;
        else
            baseBytes = s.Add("frozen base weights in bf16, no gradients or optimizer states, ÷ tp", $"2 B × {E(stageParams)}/{t}",
                stageParams * LoraMemory.Bf16BytesPerParameter / t / zeroShard / GB, "GB", "arXiv:2106.09685 §4.2") * GB;
        var b = ModelStateBytes.Sharded(p.Precision, p.Zero, p.Dp);
        double stageAdapters = adaptersPerLayer * layers / t;
        double adapterBytes = s.Add($"adapters train with the {ScheduleNames.Name(p.Precision)} policy: {G(b.Total)} B/param (ZeRO {(int)p.Zero}, dp {p.Dp})",
            $"{G(b.Total)} × {E(stageAdapters)}", b.Total * stageAdapters / GB, "GB", "arXiv:1910.02054 Table 1") * GB;
        _ = adapters;
        s.Note("LoRA keeps the activations of full training: the backward still runs through the frozen layers to reach earlier adapters"
            + (lora.QLora ? "; QLoRA dequantises one layer's weights to bf16 at a time (small working set, not counted)" : ""));
        return s.Add("model states per GPU (base + adapters)", $"{G(baseBytes / GB)} + {G(adapterBytes / GB)}", (baseBytes + adapterBytes) / GB, "GB", "sum") * GB;
    }
}
