using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Simulation;

/// <summary>Puts the cost model and a pipeline outcome together into step time, memory and throughput.</summary>
public static class Evaluator
{
    /// <summary>
    /// What the stack cannot run as named, and where its attention kernel has no published speed on this GPU's generation (the
    /// nearest generation's or the GPU's own fit is used): said in the output, never silently.
    /// </summary>
    public static IReadOnlyList<PlanIssue> StackNotes(Stack.StackSpec stack, GpuSpec gpu, ParallelPlan plan)
    {
        var unsupported = stack.Unsupported(plan);
        // by reference: the same stack and GPU objects serve every plan of a sweep
        var pair = GpuNotes.GetValue(stack, _ => new()).GetValue(gpu, g => [NotesOnGpu(stack, g, false), NotesOnGpu(stack, g, true)]);
        var onGpu = pair[plan.FlashAttention ? 1 : 0];
        if (unsupported.Count == 0) return onGpu;
        return [.. unsupported.Select(u => new PlanIssue(Severity.Warning, u)), .. onGpu];
    }

    /// <summary>The notes that depend only on the stack and the GPU (and whether attention is fused), made once per pair: sweeps evaluate many plans on one.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Stack.StackSpec,
        System.Runtime.CompilerServices.ConditionalWeakTable<GpuSpec, PlanIssue[][]>> GpuNotes = new();

    private static PlanIssue[] NotesOnGpu(Stack.StackSpec stack, GpuSpec gpu, bool flashAttention)
    {
        var near = flashAttention ? stack.AttentionRates.Nearest(gpu.Generation) : null;
        bool nearOnly = near is not null && !string.Equals(near.Generation, gpu.Generation, StringComparison.OrdinalIgnoreCase);
        bool borrowed = gpu.CurvesBorrowed;
        var list = stack.HardwareMismatch(gpu).Select(u => new PlanIssue(Severity.Warning, u)).ToList();
        if (nearOnly)
            list.Add(new PlanIssue(Severity.Warning,
                $"no published {Stack.StackNames.Name(stack.Attention)} attention speed on {gpu.Generation} GPUs: {near!.Generation}'s curve is used, its throughput scaled by SM count x clock"));
        if (borrowed)
            list.Add(new PlanIssue(Severity.Warning,
                $"the {gpu.Name} file's GEMM{(flashAttention && near is null ? " and attention" : "")} efficiency curves are scaled from a {gpu.CurvesMeasuredOn} measurement: no {gpu.Generation} measurement is shipped (`parallelsim calibrate gemm` fits one)"));
        return [.. list];
    }

    /// <summary>The analytical path: closed-form pipeline.</summary>
    public static SimulationResult Evaluate(ModelSpec m, ClusterSpec c, ParallelPlan plan, CostOptions? options = null)
    {
        var o = options ?? CostOptions.Default;
        var costs = CostModel.Evaluate(m, c, plan, o);
        return Combine(m, c, plan, o, costs, ClosedFormPipeline.Evaluate(plan, costs, o));
    }

    /// <summary>Combines step costs with a pipeline outcome (closed form or simulated).</summary>
    public static SimulationResult Combine(ModelSpec m, ClusterSpec c, ParallelPlan plan, CostOptions o, StepCosts costs, PipelineOutcome pipe)
    {
        int mb = plan.MicroBatches;
        // chunks per rank: each sends its activations and gradients (interleaved v, DualPipeV 2)
        int v = PipelineChunks.PerRank(plan);

        // memory per stage: model states + activations x micro-batches in flight + named extras
        // (plain loops: this runs once per evaluated plan, about a microsecond in all)
        var stages = new StageMemory[costs.Stages.Count];
        StageMemory limiting = null!;
        StageCost slowest = null!;
        for (int i = 0; i < stages.Length; i++)
        {
            var st = costs.Stages[i];
            stages[i] = new StageMemory(st.Stage, st.Layers, st.Weights, st.Gradients, st.Optimizer,
                st.ActivationsPerMicroBatch * pipe.PeakInFlight[st.Stage], st.Other, pipe.PeakInFlight[st.Stage]);
            if (limiting is null || stages[i].Peak.Value > limiting.Peak.Value) limiting = stages[i];
            if (slowest is null || (st.Forward + st.Backward).Value > (slowest.Forward + slowest.Backward).Value) slowest = st;
        }
        var capacity = c.Gpu.Memory;
        var memory = MemoryReport.Of(capacity, limiting.Peak, limiting.Stage, stages, o.AllocatorHeldFraction, o.MemoryErrorMargin);

        // time: pipeline makespan + exposed DP and ZeRO-3 traffic + optimizer
        var dpExposed = Seconds.Max(Seconds.Zero, costs.DpComm - costs.DpOverlappable);
        // one set of links carries both: the overlapped part of the gradient traffic uses up part of the compute window
        // that the ZeRO-3 gathers hide behind (bandwidth is shared, not doubled)
        var zero3Exposed = costs.Zero3Exposed
            ?? Seconds.Max(Seconds.Zero, costs.Zero3Comm + (costs.DpComm - dpExposed) - pipe.BusiestRankCompute);
        var step = pipe.Makespan + dpExposed + zero3Exposed + costs.Optimizer;
        var tp = slowest.TpComm * mb;
        var cp = slowest.CpComm * mb;
        var pp = costs.P2PTransfer * (2.0 * mb * v);
        // bubble: idle compute time over total, averaged over ranks (the same definition for the closed form and the simulator)
        var bubble = pipe.Makespan * pipe.IdleFraction;
        var exposed = tp + (o.OverlapP2P ? Seconds.Zero : pp) + dpExposed + zero3Exposed;
        var time = new TimeReport(step, pipe.BusiestRankCompute, bubble, pipe.IdleFraction,
            tp, pp, costs.DpComm + costs.Zero3Comm, cp, exposed, costs.Optimizer);

        // throughput: PaLM (arXiv:2204.02311 App. B) model FLOPs; HFU adds what recomputation runs again
        double tokens = (double)plan.GlobalBatch * m.SeqLength;
        var modelFlops = FlopCount.ModelFlopsPerToken(m) * tokens;
        double recomputePerSequence = plan.Recompute switch
        {
            RecomputeMode.Full => m.Layers * FlopCount.LayerForward(m, 1),
            RecomputeMode.Selective => m.Layers * FlopCount.AttentionCore(m, 1, m.SeqLength),
            _ => 0,
        };
        var hardwareFlops = modelFlops + new Flops(recomputePerSequence * plan.GlobalBatch);
        double gpus = plan.Gpus, peak = c.Gpu.PeakBf16.Value;
        var modelPerGpu = new FlopsPerSecond(modelFlops.Value / step.Value / gpus);
        var hardwarePerGpu = new FlopsPerSecond(hardwareFlops.Value / step.Value / gpus);
        var throughput = new ThroughputReport(tokens / step.Value, modelFlops, hardwareFlops, modelPerGpu, hardwarePerGpu,
            modelPerGpu.Value / peak, hardwarePerGpu.Value / peak);

        var warnings = PlanValidator.Warnings(m, c, plan);
        var stackNotes = StackNotes(o.Stack, c.Gpu, plan);
        if (stackNotes.Count > 0) warnings = [.. warnings, .. stackNotes];
        return new SimulationResult(m, c, plan, memory, time, throughput, costs, warnings);
    }
}
