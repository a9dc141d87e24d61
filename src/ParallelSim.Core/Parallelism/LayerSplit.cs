using System.Globalization;

namespace ParallelSim.Core.Parallelism;

/// <summary>
/// An uneven placement of the transformer layers on the pipeline stages, as Megatron-LM has it, in one of two kinds:
/// <list type="bullet">
/// <item>counts: <see cref="FirstStageLayers"/> and/or <see cref="LastStageLayers"/> on the first / last pipeline rank
/// (--decoder-first-pipeline-num-layers, --decoder-last-pipeline-num-layers), the other layers split evenly over the
/// middle ranks; with v model chunks per rank, each chunk of a rank holds 1/v of the rank's count;</item>
/// <item>accounting: the embedding and/or the loss counted as one layer each in an even split
/// (--account-for-embedding-in-pipeline-split, --account-for-loss-in-pipeline-split): (L + 1 + 1)/p per rank, 1/v of that
/// per chunk, and the very first virtual stage (chunk 0 of rank 0) and the very last (chunk v-1 of rank p-1) build one
/// layer fewer.</item>
/// </list>
/// Megatron forbids combining the two kinds. A plan without a split (null) places L/(p·v) layers on every virtual stage.
/// <see cref="StageLayers"/> turns a split into layer counts and checks it.
/// </summary>
public sealed record LayerSplit(int? FirstStageLayers = null, int? LastStageLayers = null, bool EmbeddingAsLayer = false, bool LossAsLayer = false)
{
    /// <summary>
    /// The embedding and the loss counted as a layer each: with L + 2 divisible by p, the first and last stage hold one layer
    /// fewer (Llama 3 405B, arXiv:2407.21783 §3.3.2; the zero-bubble paper's layout, arXiv:2401.10241 Table 3).
    /// </summary>
    public static LayerSplit EmbeddingAndLoss { get; } = new(EmbeddingAsLayer: true, LossAsLayer: true);

    /// <summary>Explicit first- or last-stage counts (Megatron's uneven pipeline).</summary>
    public bool HasCounts => FirstStageLayers is not null || LastStageLayers is not null;

    /// <summary>The embedding or the loss counted as a layer.</summary>
    public bool HasAccounting => EmbeddingAsLayer || LossAsLayer;

    /// <summary>Nothing set: the same as no split.</summary>
    public bool IsEven => !HasCounts && !HasAccounting;

    /// <summary>A short text for reports: "first 7, last 7" or "embedding and loss as layers".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (FirstStageLayers is int f) parts.Add(string.Create(CultureInfo.InvariantCulture, $"first {f}"));
        if (LastStageLayers is int l) parts.Add(string.Create(CultureInfo.InvariantCulture, $"last {l}"));
        if (EmbeddingAsLayer && LossAsLayer) parts.Add("embedding and loss as layers");
        else if (EmbeddingAsLayer) parts.Add("embedding as a layer");
        else if (LossAsLayer) parts.Add("loss as a layer");
        return parts.Count == 0 ? "even" : string.Join(", ", parts);
    }
}
