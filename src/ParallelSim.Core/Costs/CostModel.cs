using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
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
    /// <summary>ZeRO-3 traffic left exposed when the stack prefetches layer by layer (null: hidden behind the step's compute).</summary>
    public Seconds? Zero3Exposed { get; init; }
}

/// <summary>The cost model: per-stage durations and memory, communication and the optimizer step.</summary>
public static class CostModel
{
    public static StepCosts Evaluate(ModelSpec m, ClusterSpec c, ParallelPlan plan, CostOptions o)
    {
        // the GPU as this stack's kernels see it (its GEMM library, its attention kernel on this generation)
        var gpu = o.Stack.On(c.Gpu);
        var lt = LayerTime.Of(m, c, gpu, plan, o.Dropout);
        double t = plan.Tp, b = plan.MicroBatch, s = m.SeqLength, h = m.Hidden;
        double tokens = b * s / plan.Cp;
        // layers of each rank: even, or the plan's uneven split (first / last stage counts, embedding and loss counted as layers)
        var rankLayers = StageLayers.PerRank(m, plan);
        var bpp = ModelStateBytes.Sharded(plan.Precision, plan.Zero, plan.Dp);

        // layer: backward GEMMs = dgrad + wgrad, each the forward's FLOPs (arXiv:2104.04473 App.)
        // TP communication is exposed unless overlapped with the GEMMs (Megatron --tp-comm-overlap pipelines the
        // all-gather / reduce-scatter with chunks of the GEMM that consumes or produces it; what exceeds the GEMM shows)
        var tpExposedFwd = o.TpCommOverlap ? Seconds.Max(Seconds.Zero, lt.TpCommForward - lt.GemmsForward) : lt.TpCommForward;
        var layerFwd = lt.ComputeForward + tpExposedFwd;
        var recompute = plan.Recompute switch
        {
            RecomputeMode.Full => layerFwd,
            RecomputeMode.Selective => lt.CoreForward,
            _ => Seconds.Zero,
        };
        var cpExposedFwd = Seconds.Max(Seconds.Zero, lt.CpComm / 3 - lt.CoreForward);
        var cpExposedBwd = Seconds.Max(Seconds.Zero, lt.CpComm * (2.0 / 3) - lt.CoreBackward);
        var bwdInput = lt.GemmsForward + lt.CoreBackward + 2 * lt.ElementwiseForward + tpExposedFwd + recompute + cpExposedBwd;
        var bwdWeight = lt.GemmsForward;
        double activationPerLayer = ActivationMemory.PerLayer(m, plan, o.Dropout);
        long layerParams = ParameterCount.PerLayer(m);

        var stages = new List<StageCost>(plan.Pp);
        for (int stage = 0; stage < plan.Pp; stage++)
        {
            // the loss runs where the last stage is: rank pp - 1, or rank 0 with DualPipeV's V (stages 0 and 2pp - 1)
            bool first = stage == 0, last = stage == PipelineChunks.LossRank(plan);
            int layersPerStage = rankLayers[stage];
            HeadCost? head = null;
            var fwd = layersPerStage * (layerFwd + cpExposedFwd);
            var bi = layersPerStage * bwdInput;
            var bw = layersPerStage * bwdWeight;
            // the host launches kernels one by one (eager PyTorch): a pass cannot run faster than its launches.
            // Backward launches about twice the forward's kernels, plus the forward again under full recompute.
            var launchFwd = o.HostDispatchPerKernel * ((double)layersPerStage * lt.KernelsForward);
            var launchBwd = launchFwd * (plan.Recompute == RecomputeMode.Full ? 3 : 2)
                + (plan.Recompute == RecomputeMode.Full ? layersPerStage * o.CheckpointHostPerLayer : Seconds.Zero);
            fwd = Seconds.Max(fwd, launchFwd);
            bi = Seconds.Max(bi, launchBwd - bw);
            double acts = layersPerStage * activationPerLayer;
            double other = 0;
            long stageParams = layersPerStage * layerParams;

            if (first)
            {
                // embedding lookup (vocab-parallel, arXiv:1909.08053 §3): gather and write b·s·h; backward scatters gradients
                stageParams += ParameterCount.InputEmbedding(m);
                fwd += Roofline.MemoryBound(gpu, 2 * 2 * tokens * h);
                bi += Roofline.MemoryBound(gpu, 3 * 2 * tokens * h);
                // the lookup's gradient is a dense (V/t)·h table, zero-filled then scattered into (PyTorch
                // embedding_dense_backward, aten/src/ATen/native/cuda/Embedding.cu), then added to the accumulated gradient
                // (Megatron megatron/core/distributed/distributed_data_parallel.py param hook: main_grad.add_(grad))
                bi += Roofline.MemoryBound(gpu, (double)m.Vocab / t * h * EmbeddingGradBytes(plan.Precision));
                // arXiv:2205.05198 §4.3: the embedding output (dropout mask when on) held on the first stage
                acts += (o.Dropout ? 1 : 0) * tokens * h / (plan.SequenceParallel ? t : 1);
            }
            if (last)
            {
                // final norm, logits GEMM (vocab-parallel) and fp32 cross-entropy
                stageParams += ParameterCount.NormParameters(m);
                if (!m.TiedEmbeddings || !first) stageParams += (long)m.Vocab * m.Hidden; // tied: Megatron keeps a copy on the last stage unless it is the first
                var logits = Roofline.MatMul(gpu, tokens, h, m.Vocab / t);
                // cross entropy on fp32 logits, pass by pass. Megatron's (unfused) vocab-parallel cross entropy
                // (megatron/core/tensor_parallel/cross_entropy.py): .float() (read 2, write 4), max (read 4), subtract in
                // place (4 + 4), exp in place (4 + 4), sum (4), divide in place (4 + 4) = 38 bytes per logit; backward
                // scales the saved softmax (4 + 4) and casts to bf16 (4 + 2) = 14. Eager PyTorch under autocast: .float()
                // (2 + 4) and log_softmax (4 + 4) = 14 forward; nll backward (4), log_softmax backward (4 + 4 + 4) and the
                // cast back (4 + 2) = 22 backward
                bool ampLoss = plan.Precision == PrecisionPolicy.TorchAmp;
                double logitsHere = tokens * (m.Vocab / t);
                var loss = Roofline.MemoryBound(gpu, logitsHere * (ampLoss ? 14 : 38));
                var lossBackward = Roofline.MemoryBound(gpu, logitsHere * (ampLoss ? 22 : 14));
                var norm = Roofline.MemoryBound(gpu, 2 * 2 * tokens * h);
                // eager autocast casts the fp32 output-layer weight to bf16 every forward (read 4, write 2 bytes per element),
                // and its backward costs twice that, as for the layers' weight casts (LayerTime)
                var outputCast = ampLoss ? Roofline.MemoryBound(gpu, 6.0 * m.Vocab / t * h) : Seconds.Zero;
                loss += outputCast;
                lossBackward += 2 * outputCast;
                fwd += logits + loss + norm;
                bi += logits + norm * 2 + lossBackward;
                bw += logits;
                // arXiv:2205.05198 §4.3: final norm input 2sbh/t and output-projection input 2sbh/t
                double headActs = 4 * tokens * h / (plan.SequenceParallel ? t : 1);
                acts += headActs;
                head = new HeadCost(logits + loss + norm, logits + norm * 2 + lossBackward, logits, new Bytes(headActs));
                // named extra: logits at the loss. Megatron's vocab-parallel cross entropy: fp32 logits and their fp32
                // gradient (8 bytes per logit). torch autocast with loss on fp32 logits: the bf16 GEMM output, its fp32 copy,
                // the fp32 gradient and its bf16 cast are alive together in the loss backward (12 bytes; the H200 runs'
                // full-recompute peaks grow by exactly 12 bytes x tokens x vocab per micro-batch)
                other += o.LogitsBytesPerElement(plan.Precision) * tokens * m.Vocab / t;
            }
            if (plan.Precision == PrecisionPolicy.TorchAmp)
                // autocast keeps the bf16 copies of the weights it cast alive for backward; each forward casts afresh
                // (the cast cache is cleared on leaving autocast), so every micro-batch in flight holds its own copies. It casts
                // the linear layers' weights only (PyTorch autocast op lists: linear/matmul to bf16; embedding, layer_norm stay
                // fp32): every layer's attention and MLP matrices, and the output layer (the tied embedding when tied)
                // The copies of every layer stay alive through the forward even under full recomputation (the H200 full-recompute
                // peaks hold them: autocast caches the casts of leaf parameters until it exits). ZeRO-3 / FSDP's gathered parameters
                // are views of a flat buffer, not leaves, so nothing caches them: under full recomputation a checkpointed layer then
                // holds its copies only while it is recomputed and back-propagated, one layer at a time
                acts += 2.0 * ((plan.Recompute == RecomputeMode.Full && plan.Zero == ZeroStage.Parameters ? Math.Min(1, layersPerStage) : layersPerStage)
                    * (ParameterCount.Attention(m) + ParameterCount.Mlp(m)) + (last ? (double)m.Vocab * m.Hidden : 0)) / t;

            double p = (double)stageParams / t;
            double weights = p * bpp.Weights;
            if (plan.Zero == ZeroStage.Parameters)
                // ZeRO-3 working set: the largest layer's gathered weights (bf16, or fp32 where the stack gathers fp32), fetched and
                // prefetched (2 in flight)
                other += 2 * (o.Stack.ParamGatherBytes ?? 2.0) * layerParams / t;
            if (o.IncludeRuntimeReserve)
                // named extras: CUDA context, NCCL buffers, and what the caching allocator holds beyond the allocated
                // model states and one micro-batch's activations (fragmentation)
                other += o.CudaContext.Value + o.CommBuffers.Value
                       + o.AllocatorReserveFraction * (acts + p * (bpp.Weights + bpp.Gradients + bpp.Optimizer));

            stages.Add(new StageCost(stage, layersPerStage, fwd, bi + bw, bi, bw,
                layersPerStage * tpExposedFwd * (plan.Recompute == RecomputeMode.Full ? 3 : 2),
                layersPerStage * lt.CpComm,
                new Bytes(acts), new Bytes(weights), new Bytes(p * bpp.Gradients), new Bytes(p * bpp.Optimizer), new Bytes(other),
                stageParams) { Head = head });
        }

        // PP: each micro-batch sends b·s·h activations forward and their gradient back (arXiv:2104.04473 §3.3),
        // ÷t with sequence parallelism. Stages are the outermost rank dimension (Megatron order tp-cp-dp-pp).
        long stageStride = (long)plan.Tp * plan.Cp * plan.Dp;
        bool p2pInter = stageStride >= c.GpusPerNode;
        var p2pLink = p2pInter ? c.Node.InterNode : c.Node.IntraNode;
        // arXiv:2104.04473 §4.1 scatter/gather: each TP rank sends its 1/t slice on its own link; without SP the
        // receiver all-gathers the slices over NVLink (with SP the activations are already split)
        var p2p = plan.Pp <= 1 ? Seconds.Zero
            : p2pLink.Transfer(new Bytes(tokens * h * 2 / t))
              + (plan.SequenceParallel ? Seconds.Zero : Collectives.AllGather(new Bytes(tokens * h * 2), plan.Tp, c.Node.IntraNode));

        // DP: gradients of the largest stage, reduced across dp ranks at stride tp·cp, on the stack's collectives
        var largest = stages[0];
        foreach (var st in stages) if (st.Parameters > largest.Parameters) largest = st;
        double gradElems = (double)largest.Parameters / t;
        var dp = DataParallelTraffic.Of(m, c, plan, o, largest.Parameters, largest.Layers, largest.Forward, largest.Backward,
            layerFwd + cpExposedFwd, bwdInput + bwdWeight);

        // optimizer: memory-bound passes over this GPU's shard of the states
        double shardParams = gradElems / (plan.Zero >= ZeroStage.OptimizerStates ? plan.Dp : 1);
        var optimizer = Roofline.MemoryBound(gpu, shardParams * ModelStateBytes.OptimizerStepBytes(plan.Precision));
        if (plan.Precision == PrecisionPolicy.Megatron)
            // Megatron DDP keeps one contiguous fp32 grad buffer that the distributed optimizer does not shard: it is
            // zeroed whole every step (distributed_data_parallel.py zero_grad_buffer) and, under the default
            // --check-for-nan-in-loss-and-grad, each bucket's norm is read before its reduce-scatter
            // (param_and_grad_buffer.py start_grad_sync): write 4 + read 4 bytes per parameter held
            optimizer += Roofline.MemoryBound(gpu, gradElems * (4 + 4));

        return new StepCosts(stages, p2p, p2pInter, dp.Comm, dp.Overlappable, dp.Zero3Comm, optimizer) { Zero3Exposed = dp.Zero3Exposed };
    }

    /// <summary>
    /// Bytes per element of the embedding's dense gradient per micro-batch: zero-fill, then read it and read and write
    /// the accumulated gradient (torch-amp: fp32 weight and .grad; megatron: bf16 grad into the fp32 main grad).
    /// </summary>
    public static double EmbeddingGradBytes(PrecisionPolicy policy) => policy switch
    {
        PrecisionPolicy.TorchAmp => 4 + 4 + 4 + 4,
        PrecisionPolicy.Megatron => 2 + 2 + 4 + 4,
        _ => 2 + 2 + 2 + 2,
    };
}
