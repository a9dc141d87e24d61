using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using static ParallelSim.Core.Explain.StepList;

namespace ParallelSim.Core.Explain;

/// <summary>
/// Bytes each collective moves per step and GPU (ring volumes), on which link, and for how long; the
/// times are those `simulate` uses (<see cref="CostModel"/>, <see cref="Collectives"/>).
/// </summary>
public static class CommExplainer
{
    private const double MB = 1e6;

    public static Explanation Explain(SimulationResult r, CostOptions o)
    {
        var s = new StepList();
        var m = r.Model; var p = r.Plan; var c = r.Cluster;
        double tokens = (double)p.MicroBatch * m.SeqLength / p.Cp, h = m.Hidden, t = p.Tp, mb = p.MicroBatches;
        int v = PipelineChunks.PerRank(p);
        var stage = r.Costs.Stages.MaxBy(x => (x.Forward + x.Backward).Value)!;
        string Link(bool inter) => inter ? $"inter-node {c.Node.InterNode.Kind} {F(c.Node.InterNode.Bandwidth.GBps, 1)} GB/s per GPU"
                                         : $"intra-node {c.Node.IntraNode.Kind} {F(c.Node.IntraNode.Bandwidth.GBps, 1)} GB/s per GPU";

        if (p.Tp > 1)
        {
            double buffer = s.Add("TP: activation buffer per collective (b·s/cp·h, bf16)", $"{p.MicroBatch}·{m.SeqLength / p.Cp}·{h}·2 B", tokens * h * 2 / MB, "MB", "arXiv:1909.08053 §3");
            int perLayer = p.Recompute == RecomputeMode.Full ? 6 : 4;
            // arXiv:2104.04473 §3.3: 2 all-reduces forward + 2 backward per layer (8bsh(t-1)/t elements); +2 when the forward is recomputed
            // arXiv:2205.05198 §4.2.2: with SP each all-reduce becomes a reduce-scatter + all-gather of the same volume
            double ring = 2 * (t - 1) / t;
            double perGpu = s.Add($"TP: {perLayer} {(p.SequenceParallel ? "reduce-scatter + all-gather pairs" : "all-reduces")} per layer per micro-batch × {stage.Layers} layers × {mb} micro-batches, ring 2(t-1)/t",
                $"{perLayer}·{G(ring)}·{G(buffer)} MB·{stage.Layers}·{mb}", perLayer * ring * buffer * stage.Layers * mb / 1e3, "GB", "arXiv:2104.04473 §3.3");
            s.Add($"TP time per step on {Link(p.Tp > c.GpusPerNode)} (exposed: inside the layer)", "ring all-reduce α-β", r.Time.TpComm.Value, "s", "Collectives.AllReduce");
            _ = perGpu;
        }
        if (p.Pp > 1)
        {
            double msg = s.Add($"PP: activation (forward) or its gradient (backward) per micro-batch{(p.SequenceParallel ? ", ÷ t with SP" : "")}",
                $"b·s·h·2 B{(p.SequenceParallel ? $"/{t}" : "")}", tokens * h * 2 / (p.SequenceParallel ? t : 1) / MB, "MB", "arXiv:2104.04473 §3.3");
            s.Add($"PP: sends per rank per step (forward + backward, × v {v})", $"2·m·v = 2·{mb}·{v}", 2 * mb * v, "messages", "arXiv:2104.04473 §2.2.2");
            s.Add($"PP time per step on {Link(r.Costs.P2PInterNode)}", $"2·m·v·(α + {G(msg)} MB/β)", r.Time.PpComm.Value, "s", "LinkSpec.Transfer");
        }
        if (p.Dp > 1)
        {
            var st = o.Stack;
            var largest = r.Costs.Stages.MaxBy(x => x.Parameters)!;
            double gradBytes = st.GradReduceBytes ?? ModelStateBytes.GradientReduceBytes(p.Precision), gatherBytes = st.ParamGatherBytes ?? 2;
            double grads = s.Add($"DP: gradients of one GPU ({E(largest.Parameters / t)} params × {gradBytes} B, stack {st.Name})", $"{E(largest.Parameters / t)}·{gradBytes}",
                largest.Parameters / t * gradBytes / MB, "MB", "ModelStateBytes.GradientReduceBytes / the stack's gradReduceBytes");
            double d = p.Dp;
            if (p.Zero == ZeroStage.None)
                s.Add($"DP: one all-reduce over dp {p.Dp}, ring volume per GPU", $"2(d-1)/d·{G(grads)} MB", 2 * (d - 1) / d * grads / 1e3, "GB", "arXiv:1910.02054 §7 (2Ψ)");
            else
            {
                double paramsMb = largest.Parameters / t * gatherBytes / MB;
                // arXiv:1910.02054 §7: reduce-scatter of gradients + all-gather of the updated parameters (in the stack's gather dtype)
                s.Add($"ZeRO-{(int)p.Zero}: reduce-scatter gradients + all-gather parameters ({gatherBytes} B each) over dp {p.Dp}", $"(d-1)/d·({G(grads)} + {G(paramsMb)}) MB",
                    (d - 1) / d * (grads + paramsMb) / 1e3, "GB", "arXiv:1910.02054 §7");
                if (p.Zero == ZeroStage.Parameters)
                    s.Add($"ZeRO-3: parameters all-gathered again in forward and backward of each of {mb} micro-batches", $"2·m·(d-1)/d·{G(paramsMb)} MB",
                        2 * mb * (d - 1) / d * paramsMb / 1e3, "GB", "arXiv:1910.02054 §7 (3Ψ in all)");
            }
            long dpStride = (long)p.Tp * p.Cp;
            string rings = st.DataParallelRing == Stack.RingLayout.Flat ? "flat: each GPU's whole share on its own NIC" : "hierarchical: inside the node, then 1/g of it across nodes";
            s.Add($"DP time per step ({rings}; NIC at {F(st.NicEfficiency * 100, 0)}% of line rate; {(dpStride * p.Dp > c.GpusPerNode ? "across nodes" : "inside one node")}), before overlap",
                "ring α-β, reduce-scatter / all-reduce / all-gather", r.Time.DpComm.Value, "s", "DataParallelTraffic");
            if (r.Costs.Zero3Exposed is { } z3)
                s.Add($"ZeRO-3 traffic exposed: each layer's gather hidden behind the previous layer's compute where it is shorter, the first gather and the last reduce-scatter not at all (overlap {(st.Overlap ? "on" : "off")})",
                    "Σ layers max(0, gather - layer compute) + first gather + last reduce-scatter", z3.Value, "s", "DataParallelTraffic.LayerByLayer");
            else
                s.Add($"DP time hidden behind the last backward (--overlap-grad-reduce {(o.OverlapGradReduce ? "on" : "off")})", "min(dp comm, backward of one micro-batch)",
                    Math.Min(r.Costs.DpComm.Value, r.Costs.DpOverlappable.Value), "s", "CostModel");
        }
        if (p.Cp > 1)
        {
            double kv = s.Add("CP: this rank's K and V chunk", $"2·(s/cp)·kv/t·2 B", 2 * tokens * m.KvWidth / t * 2 / MB, "MB", "ring attention (arXiv:2310.01889)");
            s.Add($"CP: (cp - 1) ring steps × 3 (forward K, V; backward K, V and grads) per layer × {stage.Layers} layers × {mb} micro-batches",
                $"{p.Cp - 1}·3·{G(kv)} MB·{stage.Layers}·{mb}", (p.Cp - 1) * 3 * kv * stage.Layers * mb / 1e3, "GB", "ring attention");
            s.Add("CP time per step (overlapped with attention where it can be)", "ring α-β", r.Time.CpComm.Value, "s", "LayerTime");
        }
        if (p.Tp == 1 && p.Pp == 1 && p.Dp == 1 && p.Cp == 1)
            s.Note("one GPU: no collectives");
        double total = r.Time.TpComm.Value + r.Time.PpComm.Value + r.Time.DpComm.Value + r.Time.CpComm.Value;
        s.Add("all communication per step", "TP + PP + DP (+ ZeRO) + CP", total, "s", "sum");
        s.Add("exposed (not hidden behind compute)", "as simulate reports it", r.Time.ExposedComm.Value, "s", "Evaluator");
        s.Add("step time", "pipeline + exposed DP + optimizer", r.Time.Step.Value, "s", "Evaluator");
        return s.Answer("comm", r.Time.ExposedComm.Value, "s",
            $"{F(total * 1e3, 1)} ms of communication per step, {F(r.Time.ExposedComm.Milliseconds, 1)} ms exposed, of a {F(r.Time.Step.Milliseconds, 1)} ms step");
    }
}
