using ParallelSim.Core.Hardware;

namespace ParallelSim.Core.Models;

/// <summary>
/// Decoder-only transformer families. GPT: LayerNorm, GELU 4h MLP, biases, learned positions.
/// Llama: RMSNorm, SwiGLU MLP (three FFN matrices), RoPE, no biases.
/// MPT (mosaicml/llm-foundry MPTConfig with alibi and no_bias): LayerNorm without bias, GELU MLP, no biases, ALiBi (no position table).
/// BLOOM (arXiv:2211.05100 §3.2): GPT's layer with biases, ALiBi instead of positions, a LayerNorm after the embedding.
/// </summary>
public enum Architecture { Gpt, Llama, Mpt, Bloom }

/// <summary>The shape of a model. The parameter count is computed from it, never taken from the name.</summary>
public sealed record ModelSpec(
    string Name,
    Architecture Arch,
    int Layers,
    int Hidden,
    int Heads,
    int KvHeads,
    int FfnHidden,
    int Vocab,
    int SeqLength,
    bool TiedEmbeddings,
    Source Source)
{
    public int HeadDim => Hidden / Heads;
    /// <summary>Width of the K (or V) projection: KV heads × head dim (grouped-query attention).</summary>
    public long KvWidth => (long)KvHeads * HeadDim;
    public long Parameters => ParameterCount.Total(this);
    /// <summary>Linear layers and norms carry biases (GPT, BLOOM).</summary>
    public bool HasBiases => Arch is Architecture.Gpt or Architecture.Bloom;
    /// <summary>A learned position table of SeqLength x Hidden (GPT); RoPE and ALiBi have none.</summary>
    public bool LearnedPositions => Arch == Architecture.Gpt;
}
