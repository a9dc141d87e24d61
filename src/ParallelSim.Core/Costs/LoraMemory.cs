using ParallelSim.Core.Models;

namespace ParallelSim.Core.Costs;

/// <summary>The weight matrices of a layer that LoRA can adapt (gate exists only in SwiGLU models).</summary>
public enum LoraTarget { Q, K, V, O, Gate, Up, Down }

/// <summary>Parameter and byte counts of LoRA and QLoRA fine-tuning: a frozen base and trainable low-rank adapters.</summary>
public static class LoraMemory
{
    // arXiv:2305.14314 §3 (QLoRA): NF4 weights, 4 bits, plus double-quantised block constants, 0.127 bits per parameter
    public const double Nf4BytesPerParameter = (4 + 0.127) / 8;

    /// <summary>Frozen base weights in bf16: 2 bytes, no gradient, no optimizer state.</summary>
    public const double Bf16BytesPerParameter = 2;

    /// <summary>Input and output width of one adapted matrix; (0, 0) when the model has no such matrix.</summary>
    public static (long In, long Out) Shape(ModelSpec m, LoraTarget target) => target switch
    {
        LoraTarget.Q or LoraTarget.O => (m.Hidden, m.Hidden),
        LoraTarget.K or LoraTarget.V => (m.Hidden, m.KvWidth),
        LoraTarget.Gate => m.Arch == Architecture.Llama ? (m.Hidden, m.FfnHidden) : (0, 0),
        LoraTarget.Up => (m.Hidden, m.FfnHidden),
        LoraTarget.Down => (m.FfnHidden, m.Hidden),
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    // arXiv:2106.09685 §4.1: ΔW = B·A with B (d × r) and A (r × k): r·(d + k) trainable parameters per adapted matrix
    public static long AdapterParametersPerLayer(ModelSpec m, int rank, IEnumerable<LoraTarget> targets) =>
        targets.Distinct().Sum(t => { var (i, o) = Shape(m, t); return rank * (i + o); });

    /// <summary>Adapter parameters of the whole model (every layer adapted).</summary>
    public static long AdapterParameters(ModelSpec m, int rank, IEnumerable<LoraTarget> targets) =>
        m.Layers * AdapterParametersPerLayer(m, rank, targets);

    /// <summary>Parameters of the matrices QLoRA quantises: every linear layer of the blocks (not embeddings, norms or biases).</summary>
    public static long QuantisableParametersPerLayer(ModelSpec m) =>
        ParameterCount.PerLayer(m) - ParameterCount.Norms(m) - (m.HasBiases ? m.Hidden + 2 * m.KvWidth + m.Hidden + m.FfnHidden + m.Hidden : 0);
}
