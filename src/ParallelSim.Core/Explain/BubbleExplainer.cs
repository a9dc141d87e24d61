using ParallelSim.Core.Parallelism;
using static ParallelSim.Core.Explain.StepList;

namespace ParallelSim.Core.Explain;

/// <summary>Pipeline shape and, when a plan was simulated, the time of one micro-batch's forward and backward on the slowest stage.</summary>
public sealed record BubbleInput(int Stages, int MicroBatches, int VirtualStages, ScheduleKind Schedule, double? SlotSeconds);

/// <summary>The pipeline bubble of GPipe, 1F1B and interleaved 1F1B at p, m, v, and its cost in time.</summary>
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
        double chosen = i.Schedule == ScheduleKind.Interleaved ? inter : i.Schedule == ScheduleKind.GPipe ? gpipe : oneF;
        double vEff = i.Schedule == ScheduleKind.Interleaved ? v : 1;
        // share of the whole step: bubble / (ideal + bubble) = (p-1)/(v·m + p - 1)
        double share = s.Add($"{ScheduleNames.Name(i.Schedule)}: share of the pipeline time spent idle", $"(p - 1)/(v·m + p - 1) = {p - 1}/({vEff}·{m} + {p - 1})",
            (p - 1) / (vEff * m + p - 1), "fraction", "arXiv:2104.04473 eq. 1 (m + p - 1 slots)");
        if (i.SlotSeconds is double slot)
        {
            s.Add("one micro-batch's forward + backward on the slowest stage (simulated)", "t_f + t_b", slot, "s", "cost model (as simulate)");
            s.Add($"{ScheduleNames.Name(i.Schedule)}: idle time per step", $"(p - 1)(t_f + t_b)/v = {p - 1}·{G(slot)}/{vEff}", (p - 1) * slot / vEff, "s", "arXiv:2104.04473 §2.2");
            s.Add("pipeline time per step", $"(m + (p - 1)/v)(t_f + t_b) = ({m} + {p - 1}/{vEff})·{G(slot)}", (m + (p - 1) / vEff) * slot, "s", "arXiv:2104.04473 eq. 1");
        }
        else s.Note("give a full plan (model, cluster, tp/pp/dp, batch) to turn the fractions into seconds");
        s.Note("zero-bubble schedules split the backward into input and weight parts to fill the bubble: ZB-H1 (p-1)(T_F + T_B - T_W) (arXiv:2401.10241 Table 2)");
        return s.Answer("bubble", chosen, "fraction",
            $"{ScheduleNames.Name(i.Schedule)} at p {p}, m {m}{(vEff > 1 ? $", v {vEff}" : "")}: bubble {F(chosen * 100, 1)}% of the ideal time ({F(share * 100, 1)}% of the step)");
    }
}
