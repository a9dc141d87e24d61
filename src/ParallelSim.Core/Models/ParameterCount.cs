namespace ParallelSim.Core.Models;

/// <summary>Exact parameter counts from the model shape.</summary>
public static class ParameterCount
{
    /// <summary>One transformer layer: attention, MLP and the two norms.</summary>
    public static long PerLayer(ModelSpec m) => Attention(m) + Mlp(m) + Norms(m);

    /// <summary>Q, K, V and output projections (GQA: K and V have KvHeads × HeadDim outputs).</summary>
    public static long Attention(ModelSpec m)
    {
        long h = m.Hidden, kv = m.KvWidth;
        long weights = h * h + 2 * h * kv + h * h;
        long biases = m.HasBiases ? h + 2 * kv + h : 0;
        return weights + biases;
    }

    /// <summary>GELU MLP: two matrices with biases; SwiGLU: gate, up and down, no biases.</summary>
    public static long Mlp(ModelSpec m)
    {
        long h = m.Hidden, f = m.FfnHidden;
        return m.Arch == Architecture.Llama ? 3 * h * f : 2 * h * f + (m.HasBiases ? f + h : 0);
    }

    /// <summary>Two norms per layer: LayerNorm has scale and bias, RMSNorm only scale.</summary>
    public static long Norms(ModelSpec m) => 2 * NormParameters(m);

    public static long NormParameters(ModelSpec m) => m.HasBiases ? 2L * m.Hidden : m.Hidden;

    /// <summary>Token embedding, plus learned positions for GPT (RoPE and ALiBi have none), plus BLOOM's embedding LayerNorm.</summary>
    public static long InputEmbedding(ModelSpec m) =>
        (long)m.Vocab * m.Hidden + (m.LearnedPositions ? (long)m.SeqLength * m.Hidden : 0) + (m.Arch == Architecture.Bloom ? 2L * m.Hidden : 0);

    /// <summary>The output projection's own weights: zero when tied to the input embedding.</summary>
    public static long OutputLayer(ModelSpec m) => m.TiedEmbeddings ? 0 : (long)m.Vocab * m.Hidden;

    public static long Total(ModelSpec m) =>
        InputEmbedding(m) + m.Layers * PerLayer(m) + NormParameters(m) + OutputLayer(m);

    /// <summary>Parameters outside the embeddings (used by some FLOP conventions).</summary>
    public static long NonEmbedding(ModelSpec m) => m.Layers * PerLayer(m) + NormParameters(m);
}
