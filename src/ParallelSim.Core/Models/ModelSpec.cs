using ParallelSim.Core.Hardware;

namespace ParallelSim.Core.Models;

/// <summary>
/// Decoder-only transformer families. GPT: LayerNorm, GELU 4h MLP, biases, learned positions.
/// Llama: RMSNorm, SwiGLU MLP (three FFN matrices), RoPE, no biases.
/// </summary>
public enum Architecture { Gpt, Llama }

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
}
