using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Units;
using static ParallelSim.Core.Explain.StepList;

namespace ParallelSim.Core.Explain;

/// <summary>Pipeline shape and, when a plan was simulated, the time of one micro-batch's forward and backward on the slowest stage.</summary>
/// <remarks><c>WeightSeconds</c> is that stage's weight-gradient pass T_W, which ZB-H1 and ZB-H2 move into the bubble;
/// <c>LightestChunk</c> is DualPipeV's lightest chunk (<see cref="DualPipeVClosedForm.LightestChunk"/>): its bubble needs
/// the forward, input backward and weight pass apart.</remarks>
public sealed record BubbleInput(int Stages, int MicroBatches, int VirtualStages, ScheduleKind Schedule, double? SlotSeconds, double? WeightSeconds = null,
    (double Forward, double BackwardInput, double Weight)? LightestChunk = null);

/// <summary>The pipeline bubble of GPipe, 1F1B, interleaved 1F1B, ZB-H1, ZB-H2 and DualPipeV at p, m, v, and its cost in time.</summary>
public static class BubbleExplainer
{
    public static Explanation Explain(BubbleInput i)
    {
        var s = new StepList();
        double p = i.Stages, m = i.MicroBatches, v = Math.Max(1, i.VirtualStages);
        s.Add("pipeline stages p, micro-batches per step m, model chunks per rank v", $"p = {p}, m = {m}, v = {v}", p, "stages", "input");
        // arXiv:2104.04473 §2.2.1: t_pb = (p-1)(t_f + t_b), ideal m(t_f + t_b), bubble fraction (p-1)/m
        double gpipe = s.Add("GPipe: bubble over ideal time (all forwards, then all backwards; holds m micro-batches)", $"(p - 1)/m = {p - 1}/{m}", (p - 1) / m, "fraction",
            "arXiv:2104.04473 §2.2.1");
        double oneF = s.Add("1F1B (PipeDream-Flush): same bubble, but at most p micro-batches in flight", $"(p - 1)/m = {p - 1}/{m}", (p - 1) / m, "fraction",
            "arXiv:2104.04473 §2.2.1");
        // arXiv:2104.04473 §2.2.2: interleaved with v chunks, bubble (1/v)(p-1)/m, communication × v
        double inter = s.Add($"interleaved 1F1B with v = {v} chunks (m must be a multiple of p; v× the pipeline messages)", $"(p - 1)/(v·m) = {p - 1}/({v}·{m})",
            (p - 1) / (v * m), "fraction", "arXiv:2104.04473 §2.2.2");
        // arXiv:2401.10241 Table 2 with T_F = T_B = T_W (its README's assumption): (p - 1)(T_F + T_B - T_W) over m(T_F + T_B + T_W)
        double zb = s.Add("ZB-H1: weight passes fill the drain, same activations as 1F1B (with equal F, B and W passes)", $"(p - 1)/(3m) = {p - 1}/(3·{m})",
            (p - 1) / (3 * m), "fraction", "arXiv:2401.10241 Table 2");
        // arXiv:2401.10241 Table 2 with T_F = T_B = T_W: ZB-H2 bubble (p - 1)(T_F + T_B - 2T_W) = 0, at (2p - 1)M_B
        double zb2 = s.Add("ZB-H2: twice the warm-up forwards, 2p - 1 micro-batches on rank 0, steps overlapping (with equal F, B and W passes)",
            "(p - 1)(T_F + T_B - 2T_W) = 0", 0, "fraction", "arXiv:2401.10241 Table 2, Fig. 4");
        // DualPipeV, F then B in sequence, with T_F = T_I = T_W per chunk: bubble (p - 1)T_F over 2m·3T_F (DualPipeVClosedForm.Bubble)
        double dualV = s.Add("DualPipeV: a V of 2 chunks per rank (stages r and 2p - 1 - r), p + 1/2 micro-batches in flight, F then B in sequence"
            + " (with equal F, I and W passes per chunk; needs m >= 2p)", $"(p - 1)/(6m) = {p - 1}/(6·{m})", (p - 1) / (6 * m), "fraction",
            "deepseek-ai/DualPipe; DualPipeVClosedForm.Bubble");
        double chosen = i.Schedule switch
        {
            ScheduleKind.Interleaved => inter, ScheduleKind.GPipe => gpipe, ScheduleKind.ZeroBubbleH1 => zb, ScheduleKind.ZeroBubbleH2 => zb2,
            ScheduleKind.DualPipeV => dualV, _ => oneF,
        };
        if (i.Schedule == ScheduleKind.DualPipeV && m < 2 * p) s.Note($"dualpipev needs m >= 2p ({2 * p}); m = {m} does not run");
        double vEff = i.Schedule == ScheduleKind.Interleaved ? v : 1;
        // share of the whole step: bubble / (ideal + bubble) = chosen / (1 + chosen); (p-1)/(v·m + p - 1) for GPipe, 1F1B and interleaved
        double share = s.Add($"{ScheduleNames.Name(i.Schedule)}: share of the pipeline time spent idle", $"b/(1 + b) = {G(chosen)}/(1 + {G(chosen)})",
            chosen / (1 + chosen), "fraction", "bubble over (ideal + bubble)");
        if (i.Schedule == ScheduleKind.ZeroBubbleH1 && i.SlotSeconds is double zslot && i.WeightSeconds is double w)
        {
            s.Add("one micro-batch's forward + backward on the slowest stage, and its weight pass", $"t_f + t_b (t_w = {G(w)} s)", zslot, "s", "cost model (as simulate)");
            // arXiv:2401.10241 Table 2: ZB-H1 bubble (p - 1)(T_F + T_B - T_W), T_B the input backward: (p - 1)(slot - 2·t_w)
            s.Add("ZB-H1: idle time per step", $"(p - 1)(t_f + t_b - 2·t_w) = {p - 1}·({G(zslot)} - 2·{G(w)})", (p - 1) * (zslot - 2 * w), "s", "arXiv:2401.10241 Table 2");
        }
        else if (i.Schedule == ScheduleKind.ZeroBubbleH2 && i.SlotSeconds is double hslot && i.WeightSeconds is double w2)
        {
            s.Add("one micro-batch's forward + backward on the slowest stage, and its weight pass", $"t_f + t_b (t_w = {G(w2)} s)", hslot, "s", "cost model (as simulate)");
            // arXiv:2401.10241 Table 2: ZB-H2 bubble (p - 1)(T_F + T_B - 2T_W), T_B the input backward: (p - 1)(slot - 3·t_w), not below 0
            s.Add("ZB-H2: idle time per step (each rank's own span; steps overlap)", $"(p - 1)·max(0, t_f + t_b - 3·t_w) = {p - 1}·max(0, {G(hslot)} - 3·{G(w2)})",
                (p - 1) * Math.Max(0, hslot - 3 * w2), "s", "arXiv:2401.10241 Table 2");
        }
        else if (i.Schedule == ScheduleKind.DualPipeV && i.SlotSeconds is double dslot && i.LightestChunk is var (cf, ci, cw))
        {
            s.Add("the busiest rank's forward + backward per micro-batch, both chunks, with their sends", "t_f + t_b", dslot, "s", "cost model (as simulate)");
            double chunk = s.Add("one chunk at the lightest rank's pace: half its forward, input backward and weight pass (with their sends)",
                $"F + I + W = {G(cf)} + {G(ci)} + {G(cw)}", cf + ci + cw, "s", "DualPipeVClosedForm.LightestChunk");
            double idle = DualPipeVClosedForm.Bubble((int)p, new Seconds(cf), new Seconds(ci), new Seconds(cw)).Value;
            s.Add("DualPipeV: idle time per step at that pace (F then B in sequence; the README's (p - 1)(F&B + B - 3W) overlaps each pair)",
                "max((p - 1)(F + max(0, I - W, F - W - min(I, W))), (p - 1)(I + max(0, I - W)) - F)", idle, "s", "DualPipeVClosedForm.Bubble");
            // two lower bounds, exact together when the stages are identical (DualPipeVClosedForm.Step)
            s.Add("pipeline time per step: the busiest rank's work, or the lightest pace with its idle time", $"max(m(t_f + t_b), 2m(F + I + W) + idle) = "
                + $"max({m}·{G(dslot)}, 2·{m}·{G(chunk)} + {G(idle)})", Math.Max(m * dslot, 2 * m * chunk + idle), "s", "DualPipeVClosedForm.Step");
        }
        else if (i.SlotSeconds is double slot)
        {
            s.Add("one micro-batch's forward + backward on the slowest stage (simulated)", "t_f + t_b", slot, "s", "cost model (as simulate)");
            s.Add($"{ScheduleNames.Name(i.Schedule)}: idle time per step", $"(p - 1)(t_f + t_b)/v = {p - 1}·{G(slot)}/{vEff}", (p - 1) * slot / vEff, "s", "arXiv:2104.04473 §2.2");
            s.Add("pipeline time per step", $"(m + (p - 1)/v)(t_f + t_b) = ({m} + {p - 1}/{vEff})·{G(slot)}", (m + (p - 1) / vEff) * slot, "s", "arXiv:2104.04473 eq. 1");
        }
        else s.Note("give a full plan (model, cluster, tp/pp/dp, batch) to turn the fractions into seconds");
        return s.Answer("bubble", chosen, "fraction",
            $"{ScheduleNames.Name(i.Schedule)} at p {p}, m {m}{(vEff > 1 ? $", v {vEff}" : "")}: bubble {F(chosen * 100, 1)}% of the ideal time ({F(share * 100, 1)}% of the step)");
    }
}
