using ParallelSim.Core.Units;

namespace ParallelSim.Core.Hardware;

public enum LinkKind { NVLink, PCIe, Network }

/// <summary>
/// An accelerator: dense tensor-core peaks, memory capacity and bandwidth, and the efficiency curve
/// its GEMMs reach. Peaks are dense (no sparsity). <see cref="PeakFp8"/> is null where the GPU has none.
/// </summary>
public sealed record GpuSpec(
    string Name,
    FlopsPerSecond PeakBf16,
    FlopsPerSecond? PeakFp8,
    Bytes Memory,
    BytesPerSecond HbmBandwidth,
    LinkKind IntraNodeLink,
    BytesPerSecond IntraNodeBandwidthPerDirection,
    string DefaultNode,
    EfficiencyCurve GemmEfficiency,
    Seconds KernelOverhead,
    Source Source)
{
    /// <summary>The fused attention kernel's efficiency over its FLOPs (null: use <see cref="GemmEfficiency"/>).</summary>
    public EfficiencyCurve? AttentionEfficiency { get; init; }
    /// <summary>The fused attention backward kernel's efficiency (null: use <see cref="AttentionEfficiency"/>).</summary>
    public EfficiencyCurve? AttentionBackwardEfficiency { get; init; }
    /// <summary>
    /// The attention curves are over FLOPs per (sequence x head), as published kernel benchmarks are (a stack's rates,
    /// <see cref="Stack.AttentionRates"/>); false: over the whole kernel's FLOPs (this GPU's own fit).
    /// </summary>
    public bool AttentionPerSequenceHead { get; init; }
    /// <summary>
    /// Fraction of the datasheet HBM bandwidth a streaming kernel reaches (a device-to-device copy's bytes read +
    /// written per second over the datasheet rate); 1 where nothing was measured.
    /// </summary>
    public double HbmEfficiency { get; init; } = 1.0;
    /// <summary>
    /// The GPU generation ("volta", "turing", "ampere", "ada", "hopper", "blackwell"): published kernel speeds (attention
    /// kernels, <see cref="Stack.AttentionRates"/>) are per generation, since parts of one generation share the same SMs.
    /// </summary>
    public string Generation { get; init; } = "unknown";
    /// <summary>
    /// The generation on which this GPU's GEMM and attention curves were measured: its own when measured on it, else the one they
    /// were scaled from (every shipped file's curves come from the H200 measurement, configs/calibration/h200). A mismatch is said
    /// in the output.
    /// </summary>
    public string CurvesMeasuredOn { get; init; } = "unknown";
    /// <summary>Streaming multiprocessors (datasheet; 0 when unknown).</summary>
    public int Sms { get; init; }
    /// <summary>Boost clock in GHz (datasheet; 0 when unknown).</summary>
    public double BoostClockGHz { get; init; }
    /// <summary>SM count x boost clock, what a kernel that uses no newer-generation instructions scales with (0 when unknown).</summary>
    public double SmGHz => Sms * BoostClockGHz;
    /// <summary>The GEMM and attention curves were scaled from another generation's measurement.</summary>
    public bool CurvesBorrowed => !string.Equals(CurvesMeasuredOn, Generation, StringComparison.OrdinalIgnoreCase);
    /// <summary>The bandwidth memory-bound kernels see: datasheet x <see cref="HbmEfficiency"/>.</summary>
    public BytesPerSecond AchievableHbmBandwidth => HbmBandwidth * HbmEfficiency;
}

/// <summary>
/// One link tier for the alpha-beta model: a message of n bytes takes Latency + n / Bandwidth.
/// Bandwidth is per GPU and per direction.
/// </summary>
public sealed record LinkSpec(LinkKind Kind, BytesPerSecond Bandwidth, Seconds Latency, Source Source)
{
    public Seconds Transfer(Bytes bytes) => Latency + bytes / Bandwidth;
}

/// <summary>A node type: GPUs of one kind, how they talk inside the node, and the NIC bandwidth per GPU.</summary>
public sealed record NodeSpec(string Name, GpuSpec Gpu, int GpusPerNode, LinkSpec IntraNode, LinkSpec InterNode, Source Source);

/// <summary>Any number of GPUs in nodes of one type. The last node may be partly used.</summary>
public sealed record ClusterSpec(NodeSpec Node, int Gpus)
{
    public GpuSpec Gpu => Node.Gpu;
    public int GpusPerNode => Node.GpusPerNode;
    public int Nodes => (Gpus + GpusPerNode - 1) / GpusPerNode;
    public string Name => Node.Name;
}
