using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs.Terms;

/// <summary>The output head on the stage that runs the loss: final norm, logits GEMM (vocab-parallel) and cross-entropy.</summary>
public static class HeadTerm
{
    public static (StageTerm Term, HeadCost Head) Of(GpuSpec gpu, ModelSpec m, ParallelPlan plan, CostOptions o, double tokens, bool alsoFirst)
    {
        double t = plan.Tp, h = m.Hidden;
        long parameters = ParameterCount.NormParameters(m);
        // tied: Megatron keeps a copy on the last stage unless it is the first
        if (!m.TiedEmbeddings || !alsoFirst) parameters += (long)m.Vocab * m.Hidden;
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
        var fwd = logits + loss + norm;
        var bi = logits + norm * 2 + lossBackward;
        // arXiv:2205.05198 §4.3: final norm input 2sbh/t and output-projection input 2sbh/t
        double headActs = 4 * tokens * h / (plan.SequenceParallel ? t : 1);
        // named extra: logits at the loss. Megatron's vocab-parallel cross entropy: fp32 logits and their fp32
        // gradient (8 bytes per logit). torch autocast with loss on fp32 logits: the bf16 GEMM output, its fp32 copy,
        // the fp32 gradient and its bf16 cast are alive together in the loss backward (12 bytes; the H200 runs'
        // full-recompute peaks grow by exactly 12 bytes x tokens x vocab per micro-batch); a fused in-place loss holds 4
        double other = o.LogitsBytesPerElement(plan.Precision) * tokens * m.Vocab / t;
        return (new StageTerm(fwd, bi, logits, parameters, headActs, other), new HeadCost(fwd, bi, logits, new Bytes(headActs)));
    }
}
