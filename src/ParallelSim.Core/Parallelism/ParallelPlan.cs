namespace ParallelSim.Core.Parallelism;

/// <summary>ZeRO sharding (arXiv:1910.02054): 1 optimizer states, 2 + gradients, 3 + parameters.</summary>
public enum ZeroStage { None = 0, OptimizerStates = 1, Gradients = 2, Parameters = 3 }

/// <summary>Activation recomputation: none, selective (attention core, arXiv:2205.05198), full (layer input only).</summary>
public enum RecomputeMode { None, Selective, Full }

/// <summary>
/// Pipeline schedules: GPipe, 1F1B (PipeDream-Flush), interleaved 1F1B, ZB-H1 (arXiv:2401.10241: 1F1B
/// with the backward split into input and weight passes, the weight passes filling the cool-down bubble), and ZB-H2
/// (the same with twice the warm-up forwards: 2p - 1 micro-batches in flight on rank 0, steps overlapping), and DualPipeV
/// (DeepSeek-V3's DualPipe cut in half: two chunks per rank in a V, rank r holding stages r and 2p - 1 - r).
/// </summary>
public enum ScheduleKind { GPipe, OneFOneB, Interleaved, ZeroBubbleH1, ZeroBubbleH2, DualPipeV }

/// <summary>
/// Precision and optimizer bookkeeping. Megatron: bf16 params, fp32 main grads and params, Adam (18 B/param).
/// Zero: the ZeRO paper's 2 + 2 + 12 = 16 B/param. TorchAmp: fp32 params and grads under autocast.
/// Bf16: everything in bf16.
/// </summary>
public enum PrecisionPolicy { Megatron, Zero, TorchAmp, Bf16 }

/// <summary>
/// A parallel plan: how a model is split across GPUs and how a step is run. <see cref="Split"/> places the layers unevenly
/// on the pipeline stages (<see cref="LayerSplit"/>, counted by <see cref="StageLayers"/>); null splits them evenly.
/// </summary>
public sealed record ParallelPlan(
    int Tp,
    int Pp,
    int Dp,
    int Cp,
    int Vpp,
    int MicroBatch,
    int GlobalBatch,
    ZeroStage Zero,
    RecomputeMode Recompute,
    bool SequenceParallel,
    ScheduleKind Schedule,
    PrecisionPolicy Precision,
    bool FlashAttention,
    LayerSplit? Split = null)
{
    public long Gpus => (long)Tp * Pp * Dp * Cp;

    /// <summary>Micro-batches per step per pipeline: global batch / (micro-batch × dp).</summary>
    public int MicroBatches => MicroBatch > 0 && Dp > 0 ? GlobalBatch / (MicroBatch * Dp) : 0;
}
