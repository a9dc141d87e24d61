using ParallelSim.Core.Stack;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs;

/// <summary>
/// The modelling choices that are not part of the model, cluster or plan, each named and overridable.
/// </summary>
public sealed record CostOptions
{
    /// <summary>Dropout on (masks stored, arXiv:2205.05198 eq. 1). Modern runs use none.</summary>
    public bool Dropout { get; init; }
    /// <summary>Overlap the DP gradient reduction with the backward of the last micro-batch (Megatron --overlap-grad-reduce).</summary>
    public bool OverlapGradReduce { get; init; } = true;
    /// <summary>Overlap pipeline sends and receives with compute.</summary>
    public bool OverlapP2P { get; init; }
    /// <summary>Overlap tensor-parallel collectives with the GEMMs they feed (Megatron --tp-comm-overlap); exposed otherwise.</summary>
    public bool TpCommOverlap { get; init; }
    /// <summary>CUDA context and kernels resident on every GPU (not counted by torch.cuda.max_memory_allocated).</summary>
    public Bytes CudaContext { get; init; } = Bytes.FromGiB(0.5);
    /// <summary>Fraction of the peak the caching allocator holds on top of what is allocated (fragmentation).</summary>
    public double AllocatorReserveFraction { get; init; } = 0.0;
    /// <summary>
    /// What PyTorch's caching allocator holds beyond the peak it allocated, as a fraction of that peak (cached free blocks and the
    /// unsplit remainders of large ones): the median of reserved / peak - 1 over the 24 H200 runs (configs/calibration/h200/train.jsonl,
    /// 1.6% to 19.9%, median 6.8%). Used for the fits verdict, not added to the reported peak.
    /// </summary>
    public double AllocatorHeldFraction { get; init; } = 0.068;

    /// <summary>
    /// The memory model's known error, as a fraction of the capacity: a plan whose reserved memory is within it of the capacity is
    /// "tight". 9%: the largest peak error of the in-sample memory suites (arXiv:2401.10241 Table 4 peaks are 0-9% above the model; the
    /// H200 peaks within 3.1%, arXiv:2205.05198 Figure 1 within 2.4%).
    /// </summary>
    public double MemoryErrorMargin { get; init; } = 0.09;

    /// <summary>NCCL communication buffers per GPU.</summary>
    public Bytes CommBuffers { get; init; } = Bytes.FromGiB(0.25);
    /// <summary>Count the CUDA context and communication buffers in the peak (off to compare with max_memory_allocated).</summary>
    public bool IncludeRuntimeReserve { get; init; } = true;

    /// <summary>
    /// Host (CPU) time to launch one kernel from eager PyTorch; a pass takes at least its kernels times this.
    /// Fitted with <see cref="CheckpointHostPerLayer"/> by <see cref="HostCalibration"/> to the H200 runs (`parallelsim calibrate host
    /// configs/calibration/h200/train.jsonl`); large kernels hide it.
    /// </summary>
    public Seconds HostDispatchPerKernel { get; init; } = Seconds.FromMicroseconds(DefaultHostDispatchMicroseconds);

    /// <summary>The calibrated default of <see cref="HostDispatchPerKernel"/>.</summary>
    public const double DefaultHostDispatchMicroseconds = 32.5;

    /// <summary>
    /// Host time one checkpointed layer adds under full recomputation beyond its re-launched forward kernels
    /// (torch.utils.checkpoint's hooks, RNG stash and Python); like <see cref="HostDispatchPerKernel"/> it only binds where
    /// kernels are small. Calibrated with it by <see cref="HostCalibration"/> (`parallelsim calibrate host`).
    /// </summary>
    public Seconds CheckpointHostPerLayer { get; init; } = Seconds.FromMicroseconds(DefaultCheckpointHostMicroseconds);

    /// <summary>The calibrated default of <see cref="CheckpointHostPerLayer"/>.</summary>
    public const double DefaultCheckpointHostMicroseconds = 1100;

    /// <summary>Bytes per logit alive at the loss (named extra on the last stage); null: by precision policy (torch-amp 12, else 8).</summary>
    public double? LossBytesPerLogit { get; init; }

    /// <summary>The logits extra for a precision policy, unless <see cref="LossBytesPerLogit"/> overrides it.</summary>
    public double LogitsBytesPerElement(Parallelism.PrecisionPolicy policy) =>
        LossBytesPerLogit ?? (policy == Parallelism.PrecisionPolicy.TorchAmp ? 12 : 8);

    /// <summary>
    /// The software stack: kernels, collectives and their overlap (<see cref="StackSpec"/>). Its dropout and overlap are copied
    /// into <see cref="Dropout"/> and <see cref="OverlapGradReduce"/> by <see cref="ForStack"/>, so a flag can still override them.
    /// </summary>
    public StackSpec Stack { get; init; } = StackSpec.Reference;

    /// <summary>These options under a stack: its dropout and overlap, the rest unchanged.</summary>
    public CostOptions ForStack(StackSpec stack) =>
        this with { Stack = stack, Dropout = stack.Dropout, OverlapGradReduce = stack.Overlap, LossBytesPerLogit = stack.LossBytesPerLogit ?? LossBytesPerLogit };

    public static CostOptions Default { get; } = new();
}
