using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Costs.Terms;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs;

/// <summary>Costs of one training step that are not per stage: data-parallel traffic and the optimizer.</summary>
public sealed record StepCosts(
    IReadOnlyList<StageCost> Stages,
    Seconds P2PTransfer,
    bool P2PInterNode,
    Seconds DpComm,
    Seconds DpOverlappable,
    Seconds Zero3Comm,
    Seconds Optimizer)
{
    /// <summary>The stack the costs were computed under.</summary>
    public Stack.StackSpec Stack { get; init; } = ParallelSim.Core.Stack.StackSpec.Reference;
    /// <summary>ZeRO-3 traffic left exposed when the stack prefetches layer by layer (null: hidden behind the step's compute).</summary>
    public Seconds? Zero3Exposed { get; init; }
}

/// <summary>The cost model: per-stage durations and memory, communication and the optimizer step.</summary>
public static class CostModel
{
    /// <summary>
    /// A short sum of named terms (Terms/): each stage is its layers' passes (with the host's launch floor), the embedding on the
    /// first stage, the head on the loss rank, the model states by precision, ZeRO stage and dp, autocast's weight copies and the
    /// named extras; then the pipeline transfers, the data-parallel traffic on the stack's collectives, and the optimizer step.
    /// </summary>
    public static StepCosts Evaluate(ModelSpec m, ClusterSpec c, ParallelPlan plan, CostOptions o)
    {
        // the GPU as this stack's kernels see it (its GEMM library, its attention kernel on this generation)
        var gpu = o.Stack.On(c.Gpu);
        var lt = LayerTime.Of(m, c, gpu, plan, o.Dropout, o.Stack.EagerKernels ?? plan.Precision == PrecisionPolicy.TorchAmp);
        var layer = LayerPasses.Of(lt, plan, o);
        double t = plan.Tp, tokens = (double)plan.MicroBatch * m.SeqLength / plan.Cp;
        // layers of each rank: even, or the plan's uneven split (first / last stage counts, embedding and loss counted as layers)
        var rankLayers = StageLayers.PerRank(m, plan);
        var bpp = ModelStateBytes.Sharded(plan.Precision, plan.Zero, plan.Dp);
        double activationPerLayer = ActivationMemory.PerLayer(m, plan, o.Dropout);
        long layerParams = ParameterCount.PerLayer(m);
        int lossRank = PipelineChunks.LossRank(plan);

        var stages = new List<StageCost>(plan.Pp);
        for (int stage = 0; stage < plan.Pp; stage++)
            stages.Add(Stage(m, plan, o, gpu, lt, layer, bpp, rankLayers[stage], stage, stage == 0, stage == lossRank, tokens, activationPerLayer, layerParams));

        var (p2p, p2pInter) = PipelineP2P.Of(c, plan, tokens, m.Hidden, o.Stack.P2PScatterGather);
        // DP: gradients of the largest stage, reduced across dp ranks at stride tp·cp, on the stack's collectives
        var largest = stages[0];
        foreach (var st in stages) if (st.Parameters > largest.Parameters) largest = st;
        var dp = DataParallelTraffic.Of(m, c, plan, o, largest.Parameters, largest.Layers, largest.Forward, largest.Backward,
            layer.ForwardWithCp, layer.BackwardInput + layer.BackwardWeight);
        var optimizer = OptimizerStep.Of(gpu, plan, (double)largest.Parameters / t);
        return new StepCosts(stages, p2p, p2pInter, dp.Comm, dp.Overlappable, dp.Zero3Comm, optimizer) { Zero3Exposed = dp.Zero3Exposed, Stack = o.Stack };
    }

    /// <summary>One pipeline stage: its layers, and the embedding and head where they run, with its memory.</summary>
    private static StageCost Stage(ModelSpec m, ParallelPlan plan, CostOptions o, GpuSpec gpu, LayerTimes lt, LayerPasses layer,
        BytesPerParameter bpp, int layers, int stage, bool first, bool last, double tokens, double activationPerLayer, long layerParams)
    {
        double t = plan.Tp;
        var fwd = layers * layer.ForwardWithCp;
        var bi = layers * layer.BackwardInput;
        var bw = layers * layer.BackwardWeight;
        var (launchFwd, launchBwd) = HostDispatch.Floors(layers, lt.KernelsForward, plan.Recompute, o);
        fwd = Seconds.Max(fwd, launchFwd);
        bi = Seconds.Max(bi, launchBwd - bw);
        double acts = layers * activationPerLayer, other = 0;
        long stageParams = layers * layerParams;
        HeadCost? head = null;
        if (first)
        {
            var e = EmbeddingTerm.Of(gpu, m, plan, o, tokens);
            stageParams += e.Parameters; fwd += e.Forward; bi += e.BackwardInput; acts += e.ActivationBytes;
        }
        if (last)
        {
            (var h, head) = HeadTerm.Of(gpu, m, plan, o, tokens, first);
            stageParams += h.Parameters; fwd += h.Forward; bi += h.BackwardInput; bw += h.BackwardWeight; acts += h.ActivationBytes; other += h.OtherBytes;
        }
        // autocast's weight copies: saved for backward by every micro-batch in flight, or, under full recomputation, alive only
        // through one forward (the cast cache clears on leaving autocast; checkpointing saves no weights), so held once
        double copies = AutocastCopies.Bytes(m, plan, layers, last);
        if (plan.Recompute == RecomputeMode.Full) other += copies; else acts += copies;

        double p = stageParams / t;
        other += NamedExtras.Zero3WorkingSet(plan, o, layerParams);
        other += NamedExtras.RuntimeReserve(o, acts, p * (bpp.Weights + bpp.Gradients + bpp.Optimizer));
        return new StageCost(stage, layers, fwd, bi + bw, bi, bw,
            layers * layer.TpExposedForward * (plan.Recompute == RecomputeMode.Full ? 3 : 2),
            layers * lt.CpComm,
            new Bytes(acts), new Bytes(p * bpp.Weights), new Bytes(p * bpp.Gradients), new Bytes(p * bpp.Optimizer), new Bytes(other),
            stageParams) { Head = head };
    }
}
