using ParallelSim.Core.Models;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs;

/// <summary>
/// FLOP counts of the forward pass, GEMM by GEMM, for b sequences of s tokens (a multiply-add is 2 FLOPs).
/// Attention core is counted as full (non-causal) s×s products, the convention of PaLM (arXiv:2204.02311
/// App. B) and Megatron-LM (arXiv:2104.04473 App.); a causal kernel does about half of that work.
/// </summary>
public static class FlopCount
{
    /// <summary>QKV projection: 2·b·s·h·(h + 2·kvWidth) (arXiv:2104.04473 App.: 6Bsh² for MHA).</summary>
    public static double Qkv(ModelSpec m, double tokens) => 2 * tokens * m.Hidden * (m.Hidden + 2.0 * m.KvWidth);

    /// <summary>QKᵀ and attention·V: 2·b·s²·h each (arXiv:2104.04473 App.).</summary>
    public static double AttentionCore(ModelSpec m, double sequences, double seq) => 4 * sequences * seq * seq * m.Hidden;

    /// <summary>Output projection: 2·b·s·h² (arXiv:2104.04473 App.).</summary>
    public static double Projection(ModelSpec m, double tokens) => 2 * tokens * (double)m.Hidden * m.Hidden;

    /// <summary>MLP: 2 GEMMs of h×f for GELU (16Bsh² when f = 4h), 3 for SwiGLU.</summary>
    public static double Mlp(ModelSpec m, double tokens) =>
        (m.Arch == Architecture.Llama ? 3 : 2) * 2 * tokens * (double)m.Hidden * m.FfnHidden;

    /// <summary>Logits: 2·b·s·h·V (arXiv:2104.04473 eq. 3: 6BshV over forward and backward).</summary>
    public static double Logits(ModelSpec m, double tokens) => 2 * tokens * (double)m.Hidden * m.Vocab;

    /// <summary>One layer's forward FLOPs for b sequences.</summary>
    public static double LayerForward(ModelSpec m, double sequences) =>
        Qkv(m, sequences * m.SeqLength) + AttentionCore(m, sequences, m.SeqLength)
        + Projection(m, sequences * m.SeqLength) + Mlp(m, sequences * m.SeqLength);

    /// <summary>
    /// Model FLOPs per token, forward and backward, no recomputation.
    /// PaLM arXiv:2204.02311 App. B: 6N + 12·L·H·Q·T (H·Q = hidden, T = sequence length), where N counts the
    /// parameters that multiply activations: the layers and the output projection (PaLM ties it to the input
    /// embedding, so its N holds the vocabulary matrix once). An untied input embedding is a lookup and does no
    /// FLOPs, as in Megatron-LM's num_floating_point_operations (logits term 6·s·h·V), so it is not counted twice.
    /// </summary>
    public static Flops ModelFlopsPerToken(ModelSpec m) =>
        new(6.0 * MatmulParameters(m) + 12.0 * m.Layers * m.Hidden * (double)m.SeqLength);

    /// <summary>The N of 6N: the layers, the final norm and the output projection (V·h once, tied or not).</summary>
    public static double MatmulParameters(ModelSpec m) => ParameterCount.NonEmbedding(m) + (double)m.Vocab * m.Hidden;

    /// <summary>The same count built bottom-up from the GEMMs (3× forward: forward, dgrad, wgrad).</summary>
    public static Flops BottomUpModelFlopsPerSequence(ModelSpec m) =>
        new(3 * (m.Layers * LayerForward(m, 1) + Logits(m, m.SeqLength)));
}
