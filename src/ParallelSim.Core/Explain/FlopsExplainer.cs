using ParallelSim.Core.Costs;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using static ParallelSim.Core.Explain.StepList;

namespace ParallelSim.Core.Explain;

/// <summary>FLOPs per token and per step, GEMM by GEMM and by PaLM's 6N + 12·L·h·s, which must agree.</summary>
public static class FlopsExplainer
{
    public static Explanation Explain(ModelSpec m, int globalBatch, RecomputeMode recompute)
    {
        var s = new StepList();
        double seq = m.SeqLength, h = m.Hidden, l = m.Layers;
        string mlpText = m.Arch == Architecture.Llama ? "3 GEMMs h×f (SwiGLU gate, up, down)" : "2 GEMMs h×f (GELU)";
        double qkv = s.Add($"QKV projection per layer, one sequence (kv width {m.KvWidth})", $"2·s·h·(h + 2·kv) = 2·{seq}·{h}·({h} + 2·{m.KvWidth})", FlopCount.Qkv(m, seq), "FLOP",
            "arXiv:2104.04473 App. (6Bsh² for MHA)");
        double core = s.Add("attention core QKᵀ and A·V, full s×s (a causal kernel does half)", $"2 × 2·s²·h = 4·{seq}²·{h}", FlopCount.AttentionCore(m, 1, seq), "FLOP",
            "arXiv:2104.04473 App. (4Bs²h)");
        double proj = s.Add("output projection", $"2·s·h² = 2·{seq}·{h}²", FlopCount.Projection(m, seq), "FLOP", "arXiv:2104.04473 App.");
        double mlp = s.Add($"MLP: {mlpText}, f = {m.FfnHidden}", $"{(m.Arch == Architecture.Llama ? 3 : 2)}·2·s·h·f", FlopCount.Mlp(m, seq), "FLOP", "arXiv:2104.04473 App. (16Bsh² for f = 4h)");
        double layer = s.Add("one layer forward", $"{G(qkv)} + {G(core)} + {G(proj)} + {G(mlp)}", FlopCount.LayerForward(m, 1), "FLOP", "sum");
        double logits = s.Add("logits GEMM", $"2·s·h·V = 2·{seq}·{h}·{m.Vocab}", FlopCount.Logits(m, seq), "FLOP", "arXiv:2104.04473 eq. 3");
        double forward = s.Add("forward per sequence", $"L·layer + logits = {l}·{G(layer)} + {G(logits)}", l * layer + logits, "FLOP", "sum");
        // arXiv:2104.04473 App.: backward = dgrad + wgrad, each the size of the forward, so 3× the forward
        double bottomUp = s.Add("forward + backward per token, bottom-up (backward = 2× forward)", $"3·{G(forward)}/{seq}",
            FlopCount.BottomUpModelFlopsPerSequence(m).Value / seq, "FLOP/token", "arXiv:2104.04473 App.");
        // PaLM arXiv:2204.02311 App. B: 6N + 12·L·H·Q·T
        double n = s.Add("N: parameters that multiply activations (layers, final norm, output projection V·h once; the input lookup and learned positions do no FLOPs)",
            $"{E(ParameterCount.NonEmbedding(m))} + {m.Vocab}·{h}", FlopCount.MatmulParameters(m), "parameters", "Megatron-LM num_floating_point_operations (logits term 6·s·h·V)");
        double palm = s.Add("PaLM count: 6N + 12·L·h·s", $"6·{E(n)} + 12·{l}·{h}·{seq}", FlopCount.ModelFlopsPerToken(m).Value, "FLOP/token",
            "arXiv:2204.02311 App. B");
        s.Add("the two counts agree to", "bottom-up / PaLM - 1", (bottomUp / palm - 1) * 100, "%",
            "difference: biases and norms are in N but do no GEMM");
        double perStep = s.Add($"model FLOPs per step ({globalBatch} sequences × {seq} tokens)", $"{G(palm)} × {globalBatch} × {seq}", palm * globalBatch * seq, "FLOP",
            "arXiv:2204.02311 App. B");
        double extra = recompute switch
        {
            RecomputeMode.Full => l * layer,
            RecomputeMode.Selective => l * core,
            _ => 0,
        };
        double hw = s.Add($"hardware FLOPs per step with recompute {ScheduleNames.Name(recompute)} ({(recompute == RecomputeMode.Full ? "every layer's forward again" : recompute == RecomputeMode.Selective ? "attention core again" : "nothing again")})",
            $"{G(perStep)} + {globalBatch}·{G(extra)}", perStep + globalBatch * extra, "FLOP", "arXiv:2205.05198 App. A (HFU)");
        if (m.Arch == Architecture.Gpt && m.FfnHidden == 4 * m.Hidden && m.KvHeads == m.Heads)
            // arXiv:2104.04473 eq. 3: F = 96·B·s·l·h²·(1 + s/(6h) + V/(16·l·h)), with full recomputation
            s.Add("check: Narayanan eq. 3 with full recomputation, per step", $"96·B·s·l·h²·(1 + s/(6h) + V/(16lh)), B = {globalBatch}",
                96.0 * globalBatch * seq * l * h * h * (1 + seq / (6 * h) + m.Vocab / (16 * l * h)), "FLOP", "arXiv:2104.04473 §5.1 eq. 3");
        _ = hw;
        return s.Answer("flops", palm, "FLOP/token", $"{G(palm)} FLOPs per token (6N + 12Lhs), {G(perStep)} per step of {globalBatch} x {seq} tokens");
    }
}
