using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Core.Stack;

/// <summary>How a framework issues and overlaps data-parallel and ZeRO traffic.</summary>
public enum Framework { Megatron, MegatronDeepSpeed, DeepSpeed, Fsdp, Torch }

/// <summary>The attention kernel a stack runs (its speed is published per GPU generation, <see cref="AttentionRates"/>).</summary>
public enum AttentionKernel { Unfused, FlashTriton, Flash2, Flash3, Cudnn }

/// <summary>The number format the GEMMs run in (bf16 and fp16 share the tensor-core peak on every GPU here).</summary>
public enum ComputeDtype { Bf16, Fp16, Fp8 }

/// <summary>
/// How data-parallel collectives cross nodes. Hierarchical: reduce inside the node, then each GPU's NIC carries 1/g of the
/// buffer (NCCL's ring and tree over eight NICs per node). Flat: each GPU's whole (k-1)/k share crosses its own NIC, the
/// rate that arXiv:2104.04473 Table 2's ZeRO-3 rows imply (step time constant as dp grows at a fixed global batch).
/// </summary>
public enum RingLayout { Hierarchical, Flat }

/// <summary>
/// The software that runs a plan: framework, attention kernel, precision, overlap, dropout and the few factors by which its
/// kernels and collectives differ from the reference stack (Megatron-Core with cuBLAS and cuDNN attention on Hopper, the one the
/// H200 calibration measured). A stack is data (configs/stacks/*.json, every number with its source), chosen by name and
/// overridable part by part; <see cref="Reference"/> is the behaviour with no stack given.
/// </summary>
public sealed record StackSpec
{
    public required string Name { get; init; }
    public Framework Framework { get; init; } = Framework.Megatron;
    public AttentionKernel Attention { get; init; } = AttentionKernel.Cudnn;
    /// <summary>Weights, gradients and optimizer-state bookkeeping (bytes per parameter, optimizer passes).</summary>
    public PrecisionPolicy Precision { get; init; } = PrecisionPolicy.Megatron;
    public ComputeDtype Dtype { get; init; } = ComputeDtype.Bf16;
    /// <summary>Data-parallel (and ZeRO) communication overlapped with compute.</summary>
    public bool Overlap { get; init; } = true;
    public bool Dropout { get; init; }
    /// <summary>Fraction of the GPU's measured GEMM efficiency curve this stack's GEMMs reach (1: the curve as measured).</summary>
    public double GemmDerate { get; init; } = 1.0;
    /// <summary>Multiplies the attention kernel's published efficiency (1: as published).</summary>
    public double AttentionDerate { get; init; } = 1.0;
    /// <summary>Fraction of the NIC line rate that data-parallel and ZeRO collectives reach across nodes.</summary>
    public double NicEfficiency { get; init; } = 1.0;
    public RingLayout DataParallelRing { get; init; } = RingLayout.Hierarchical;
    /// <summary>
    /// Gradients reduced after every micro-batch (DeepSpeed ZeRO, FSDP) instead of once after the last one (Megatron DDP and its
    /// distributed optimizer).
    /// </summary>
    public bool ReduceEveryMicroBatch { get; init; }
    /// <summary>
    /// ZeRO-3 parameter gathers issued this many layers ahead of their use (FSDP's backward/forward prefetch: 1). 0: gathers are
    /// hidden behind the whole step's compute (the reference model, no per-layer exposure).
    /// </summary>
    public int PrefetchLayers { get; init; }
    /// <summary>Bytes per element of the gathered ZeRO-3 parameters (null: 2, bf16). FSDP in fp32 parameter mode gathers 4.</summary>
    public double? ParamGatherBytes { get; init; }
    /// <summary>Bytes per element of the gradients as reduced across data-parallel ranks (null: by precision policy).</summary>
    public double? GradReduceBytes { get; init; }
    /// <summary>
    /// Bytes per logit alive at the loss (null: by precision policy, <see cref="Costs.CostOptions.LogitsBytesPerElement"/>): a fused
    /// cross-entropy that works in place on bf16 logits holds 4 (the logits and their gradient), autocast's fp32 loss 12.
    /// </summary>
    public double? LossBytesPerLogit { get; init; }
    /// <summary>
    /// Every elementwise op its own kernel (eager PyTorch without torch.compile: SwiGLU as silu then a product, RoPE in five ops) or
    /// fused (Megatron's kernels, or compiled); null: eager exactly when the precision is torch-amp.
    /// </summary>
    public bool? EagerKernels { get; init; }
    /// <summary>
    /// Pipeline sends split over the tensor-parallel ranks and all-gathered on arrival (Megatron-LM's scatter/gather,
    /// arXiv:2104.04473 §4.1); false: each TP rank sends the whole activation (DeepSpeed's pipeline engine).
    /// </summary>
    public bool P2PScatterGather { get; init; } = true;
    /// <summary>Published attention speed of <see cref="Attention"/> per GPU generation (empty: the GPU's own fitted curve).</summary>
    public AttentionRates AttentionRates { get; init; } = AttentionRates.None;
    public Source Source { get; init; } = new("ParallelSim reference stack", "the behaviour without --stack");
    /// <summary>The ZeRO stages the framework ships (null: any; Megatron's distributed optimizer is stage 1, it has no stage 3).</summary>
    public IReadOnlyList<ZeroStage>? ZeroStages { get; init; }
    /// <summary>The pipeline schedules the framework ships (null: any, for comparing schedules on equal terms).</summary>
    public IReadOnlyList<ScheduleKind>? Schedules { get; init; }

    /// <summary>The activation recomputation modes the framework ships (null: any; selective came with arXiv:2205.05198 in 2022).</summary>
    public IReadOnlyList<RecomputeMode>? RecomputeModes { get; init; }

    /// <summary>
    /// The model-parallel dimensions the framework ships beyond data parallelism: "tp", "pp", "cp", "sp" (null: all). llm-foundry's
    /// FSDP ran none of them; Megatron-LM of 2021 had TP and PP but not sequence or context parallelism.
    /// </summary>
    public IReadOnlyList<string>? Parallelisms { get; init; }

    /// <summary>Whether the framework ships this dimension ("tp", "pp", "cp", "sp").</summary>
    public bool Ships(string dimension) => Parallelisms is not { } p || p.Contains(dimension, StringComparer.OrdinalIgnoreCase);

    /// <summary>What in the plan this stack cannot run as named: a ZeRO stage or schedule it does not ship (empty when all is there).</summary>
    public IReadOnlyList<string> Unsupported(ParallelPlan plan)
    {
        // the common case, a plan inside what the stack ships, allocates nothing (this runs for every plan a sweep evaluates)
        bool dimsShipped = Parallelisms is null
            || (plan.Tp <= 1 || Ships("tp")) && (plan.Pp <= 1 || Ships("pp")) && (plan.Cp <= 1 || Ships("cp")) && (!plan.SequenceParallel || plan.Tp <= 1 || Ships("sp"));
        if (dimsShipped && (ZeroStages?.Contains(plan.Zero) ?? true) && (RecomputeModes?.Contains(plan.Recompute) ?? true) && (Schedules?.Contains(plan.Schedule) ?? true))
            return [];
        var list = new List<string>();
        if (ZeroStages is { } z && !z.Contains(plan.Zero))
            list.Add($"stack {Name} has no ZeRO stage {(int)plan.Zero} (its stages: {string.Join(", ", z.Select(x => (int)x))}): timed as if it had");
        foreach (var (dim, used) in new[] { ("tp", plan.Tp > 1), ("pp", plan.Pp > 1), ("cp", plan.Cp > 1), ("sp", plan.SequenceParallel && plan.Tp > 1) })
            if (used && !Ships(dim))
                list.Add($"stack {Name} has no {DimensionName(dim)} (it ships: data parallelism{string.Concat(Parallelisms!.Select(d => ", " + DimensionName(d)))}): timed as if it had");
        if (RecomputeModes is { } rm && !rm.Contains(plan.Recompute))
            list.Add($"stack {Name} has no {ScheduleNames.Name(plan.Recompute)} recomputation (its modes: {string.Join(", ", rm.Select(ScheduleNames.Name))}): timed as if it had");
        if (Schedules is { } sc && !sc.Contains(plan.Schedule))
            list.Add($"stack {Name} does not ship the {ScheduleNames.Name(plan.Schedule)} schedule (its schedules: {string.Join(", ", sc.Select(ScheduleNames.Name))}): timed as if it did");
        return list;
    }

    /// <summary>Flash attention in the activation-memory sense: no s x s scores stored.</summary>
    public bool FlashAttention => Attention != AttentionKernel.Unfused;

    /// <summary>The stack the cost model assumed before stacks were inputs: Megatron-Core on Hopper, the GPUs' own kernel fits.</summary>
    public static StackSpec Reference { get; } = new() { Name = "reference" };

    /// <summary>
    /// The GPU as this stack's kernels see it: its GEMM curve times <see cref="GemmDerate"/>, and the attention curves of
    /// <see cref="Attention"/> on its generation times <see cref="AttentionDerate"/>. The GPU itself when nothing changes.
    /// </summary>
    public GpuSpec On(GpuSpec gpu)
    {
        bool published = Attention != AttentionKernel.Unfused && AttentionRates.Nearest(gpu.Generation) is not null;
        if (GemmDerate == 1.0 && AttentionDerate == 1.0 && !published) return gpu;
        var (fwd, bwd) = AttentionOn(gpu);
        return gpu with
        {
            GemmEfficiency = Scaled(gpu.GemmEfficiency, GemmDerate),
            AttentionEfficiency = Scaled(fwd, AttentionDerate),
            AttentionBackwardEfficiency = Scaled(bwd, AttentionDerate),
            AttentionPerSequenceHead = published,
        };
    }

    private static EfficiencyCurve Scaled(EfficiencyCurve c, double k) => k == 1.0 ? c : c with { Max = Math.Min(1.0, c.Max * k) };


    /// <summary>
    /// What this stack asks of the GPU that its generation cannot do: FlashAttention-2, the Triton flash kernel and cuDNN's fused
    /// attention need Ampere (sm80) or newer, FlashAttention-3 Hopper (sm90; arXiv:2407.08608 §1), bf16 GEMMs Ampere (Volta and
    /// Turing tensor cores have fp16 only: such runs train in fp16 with loss scaling).
    /// </summary>
    public IReadOnlyList<string> HardwareMismatch(GpuSpec gpu)
    {
        int at = Array.IndexOf(AttentionRates.Generations, gpu.Generation.ToLowerInvariant());
        if (at < 0) return [];
        int ampere = Array.IndexOf(AttentionRates.Generations, "ampere"), hopper = Array.IndexOf(AttentionRates.Generations, "hopper");
        var list = new List<string>();
        if (Attention == AttentionKernel.Flash3 && at < hopper)
            list.Add($"flash3 (FlashAttention-3) runs on Hopper GPUs only; the {gpu.Name} is {gpu.Generation}: flash2 is its kernel");
        else if (Attention is AttentionKernel.Flash2 or AttentionKernel.FlashTriton or AttentionKernel.Cudnn && at < ampere)
            list.Add($"{StackNames.Name(Attention)} attention needs an Ampere or newer GPU; the {gpu.Name} is {gpu.Generation}: unfused attention (or FlashAttention-1) is what runs there");
        if (Dtype == ComputeDtype.Bf16 && at < ampere)
            list.Add($"the {gpu.Name} ({gpu.Generation}) has no bf16 tensor cores: runs on it train in fp16 with loss scaling (--precision fp16); timed at its fp16 peak");
        return list;
    }

    private static string DimensionName(string dim) => dim switch
    {
        "tp" => "tensor parallelism", "pp" => "pipeline parallelism", "cp" => "context parallelism", "sp" => "sequence parallelism", _ => dim,
    };

    /// <summary>The attention curves (forward, backward) on this GPU: the stack's published ones, else the GPU's own fit.</summary>
    public (EfficiencyCurve Forward, EfficiencyCurve Backward) AttentionOn(GpuSpec gpu)
    {
        if (Attention != AttentionKernel.Unfused && AttentionRates.Nearest(gpu.Generation) is { } rates)
        {
            if (string.Equals(rates.Generation, gpu.Generation, StringComparison.OrdinalIgnoreCase)) return (rates.Forward, rates.Backward);
            // another generation's benchmark: its absolute throughput carried over by SM count x clock
            double k = rates.ScaleTo(gpu);
            return (Scaled(rates.Forward, k), Scaled(rates.Backward, k));
        }
        var fwd = gpu.AttentionEfficiency ?? gpu.GemmEfficiency;
        return (fwd, gpu.AttentionBackwardEfficiency ?? fwd);
    }
}

/// <summary>
/// An attention kernel's forward and backward efficiency on one GPU generation, from a published benchmark on a GPU of
/// <see cref="MeasuredPeakTflops"/> dense bf16 peak and <see cref="MeasuredSmGHz"/> SM count x boost clock (0: unknown).
/// </summary>
public sealed record AttentionRate(string Generation, EfficiencyCurve Forward, EfficiencyCurve Backward)
{
    public double MeasuredPeakTflops { get; init; }
    public double MeasuredSmGHz { get; init; }

    /// <summary>
    /// The factor that carries this rate's efficiency to another GPU: the kernel's throughput scales with SM count x clock (a kernel
    /// written for one generation's instructions gains nothing from a newer generation's tensor-core peak), so the fraction of the
    /// other GPU's peak is this fraction x (peak here / SM-GHz here) x (SM-GHz there / peak there). 1 when either side is unknown.
    /// </summary>
    public double ScaleTo(GpuSpec gpu) =>
        MeasuredPeakTflops > 0 && MeasuredSmGHz > 0 && gpu.SmGHz > 0
            ? MeasuredPeakTflops / MeasuredSmGHz * (gpu.SmGHz / gpu.PeakBf16.Tflops) : 1.0;
}

/// <summary>One kernel's rates by GPU generation ("ampere", "hopper", ...).</summary>
public sealed record AttentionRates(IReadOnlyList<AttentionRate> Rates)
{
    public static AttentionRates None { get; } = new([]);
    /// <summary>GPU generations from oldest to newest: a kernel without data on one uses the nearest that has it.</summary>
    public static readonly string[] Generations = ["volta", "turing", "ampere", "ada", "hopper", "blackwell"];

    /// <summary>The rates on this generation, else on the nearest generation that has them (null when the kernel has none).</summary>
    public AttentionRate? Nearest(string generation)
    {
        if (For(generation) is { } exact) return exact;
        int at = Array.IndexOf(Generations, generation.ToLowerInvariant());
        if (at < 0) return Rates.Count > 0 ? Rates[0] : null;
        for (int d = 1; d < Generations.Length; d++)
            foreach (int i in new[] { at - d, at + d })
                if (i >= 0 && i < Generations.Length && For(Generations[i]) is { } near) return near;
        return null;
    }

    public AttentionRate? For(string generation)
    {
        foreach (var r in Rates) if (string.Equals(r.Generation, generation, StringComparison.OrdinalIgnoreCase)) return r;
        return null;
    }
}

/// <summary>
/// Names read case-insensitively, with the synonyms people write for them ("fa2" for flash2, "megatron-lm" for megatron); the
/// enumeration, <see cref="Keys"/> and error messages list the canonical names only.
/// </summary>
public sealed class NameTable<T> : IReadOnlyDictionary<string, T>
{
    private readonly Dictionary<string, T> _canonical, _all;

    public NameTable(IEnumerable<(string Name, T Value)> canonical, IEnumerable<(string Alias, T Value)> aliases)
    {
        _canonical = canonical.ToDictionary(x => x.Name, x => x.Value, StringComparer.OrdinalIgnoreCase);
        _all = new Dictionary<string, T>(_canonical, StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, value) in aliases) _all[alias] = value;
    }

    public T this[string key] => _all[key];
    public IEnumerable<string> Keys => _canonical.Keys;
    public IEnumerable<T> Values => _canonical.Values;
    public int Count => _canonical.Count;
    public bool ContainsKey(string key) => _all.ContainsKey(key);
    public bool TryGetValue(string key, out T value) => _all.TryGetValue(key, out value!);
    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _canonical.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The stack's names as typed on the command line and in run lists.</summary>
public static class StackNames
{
    public static readonly NameTable<Framework> Frameworks = new(
        [("megatron", Framework.Megatron), ("megatron-deepspeed", Framework.MegatronDeepSpeed), ("deepspeed", Framework.DeepSpeed),
         ("fsdp", Framework.Fsdp), ("torch", Framework.Torch)],
        [("megatron-lm", Framework.Megatron), ("megatron-core", Framework.Megatron), ("mcore", Framework.Megatron), ("nemo", Framework.Megatron),
         ("megatron_deepspeed", Framework.MegatronDeepSpeed), ("deepspeed-zero", Framework.DeepSpeed), ("zero", Framework.DeepSpeed),
         ("pytorch-fsdp", Framework.Fsdp), ("fsdp1", Framework.Fsdp), ("composer", Framework.Fsdp), ("llm-foundry", Framework.Fsdp),
         ("fsdp2", Framework.Torch), ("torchtitan", Framework.Torch), ("pytorch", Framework.Torch), ("ddp", Framework.Torch)]);
    public static readonly NameTable<AttentionKernel> Attention = new(
        [("unfused", AttentionKernel.Unfused), ("flash-triton", AttentionKernel.FlashTriton), ("flash2", AttentionKernel.Flash2),
         ("flash3", AttentionKernel.Flash3), ("cudnn", AttentionKernel.Cudnn)],
        [("none", AttentionKernel.Unfused), ("eager", AttentionKernel.Unfused), ("naive", AttentionKernel.Unfused), ("standard", AttentionKernel.Unfused),
         ("fused-softmax", AttentionKernel.Unfused), ("triton", AttentionKernel.FlashTriton), ("flash-attn-triton", AttentionKernel.FlashTriton),
         ("fa2", AttentionKernel.Flash2), ("flash-attn", AttentionKernel.Flash2), ("flash-attn2", AttentionKernel.Flash2), ("flash-attention-2", AttentionKernel.Flash2),
         ("flash_attn", AttentionKernel.Flash2), ("sdpa", AttentionKernel.Flash2), ("fa3", AttentionKernel.Flash3), ("flash-attention-3", AttentionKernel.Flash3),
         ("te", AttentionKernel.Cudnn), ("fused", AttentionKernel.Cudnn), ("cudnn-fused", AttentionKernel.Cudnn)]);
    public static readonly NameTable<ComputeDtype> Dtypes = new(
        [("bf16", ComputeDtype.Bf16), ("fp16", ComputeDtype.Fp16), ("fp8", ComputeDtype.Fp8)],
        [("bfloat16", ComputeDtype.Bf16), ("amp_bf16", ComputeDtype.Bf16), ("float16", ComputeDtype.Fp16), ("amp_fp16", ComputeDtype.Fp16),
         ("half", ComputeDtype.Fp16), ("float8", ComputeDtype.Fp8), ("amp_fp8", ComputeDtype.Fp8)]);
    public static string Name(Framework f) => Frameworks.First(kv => kv.Value == f).Key;
    public static string Name(AttentionKernel k) => Attention.First(kv => kv.Value == k).Key;
    public static string Name(ComputeDtype d) => Dtypes.First(kv => kv.Value == d).Key;
}
