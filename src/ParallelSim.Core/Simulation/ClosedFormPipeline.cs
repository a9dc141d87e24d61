using ParallelSim.Core.Costs;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Simulation;

/// <summary>
/// Closed-form pipeline time and in-flight activations, for the analytical path and as test oracles.
/// </summary>
public static class ClosedFormPipeline
{
    /// <summary>
    /// The slowest stage sets the pace: a slot is its forward and full backward plus its point-to-point sends,
    /// and the makespan follows from <see cref="Makespan"/> (DualPipeV's from <see cref="DualPipeVClosedForm.Step"/>). With an
    /// uneven layer split (<see cref="ParallelPlan.Split"/>) each rank's cost already holds its own layers; the in-flight counts
    /// stay in chunks of 1/v of a rank's activations, so when the embedding or loss counted as a layer makes one chunk of the
    /// first or last rank lighter, those ranks' peaks are approximate here (the event simulator counts each chunk's own bytes).
    /// </summary>
    public static PipelineOutcome Evaluate(ParallelPlan plan, StepCosts costs, CostOptions o)
    {
        int p = plan.Pp, m = plan.MicroBatches, v = plan.Schedule == ScheduleKind.Interleaved ? plan.Vpp : 1;
        var slot = Seconds.Zero; StageCost? slowest = null; var busy = Seconds.Zero; var busySum = Seconds.Zero;
        foreach (var st in costs.Stages)
        {
            var compute = st.Forward + st.Backward;
            busySum += compute;
            var comm = o.OverlapP2P ? Seconds.Zero : 2 * v * costs.P2PTransfer;
            if ((compute + comm).Value > slot.Value) { slot = compute + comm; slowest = st; }
            busy = Seconds.Max(busy, compute);
        }
        var inFlight = new double[p];
        for (int r = 0; r < p; r++) inFlight[r] = InFlight(plan.Schedule, p, m, v, r);
        var weight = slowest?.BackwardWeight ?? Seconds.Zero;
        var fill = slowest is null ? Seconds.Zero : plan.Schedule == ScheduleKind.ZeroBubbleH2
            ? WeightFillH2(slowest.Forward, slowest.BackwardWeight) : WeightFill(slowest.Forward, slowest.BackwardInput, slowest.BackwardWeight);
        var makespan = plan.Schedule == ScheduleKind.DualPipeV && slowest is not null
            ? DualPipeVClosedForm.Step(p, m, DualPipeVClosedForm.BusiestSlot(costs, o.OverlapP2P), DualPipeVClosedForm.LightestChunk(costs, o.OverlapP2P))
            : Makespan(plan.Schedule, p, m, v, slot, weight, fill);
        double idle = makespan.Value > 0 ? 1 - m * busySum.Value / (p * makespan.Value) : 0;
        return new PipelineOutcome(makespan, busy * m, inFlight, "closed form", Math.Max(0, idle));
    }

    /// <summary>
    /// How much of the drain one weight pass fills: T_W, as long as it is no longer than the forward and the input
    /// backward (the paper's Table 1 has T_W &lt; T_F &lt; T_B); a longer W fills only the shorter of the two.
    /// </summary>
    // arXiv:2401.10241 Table 2 assumes T_W <= T_F, T_B; beyond, min(T_F, T_B, T_W) (derived; checked against the event simulator)
    public static Seconds WeightFill(Seconds forward, Seconds backwardInput, Seconds weight) =>
        new(Math.Min(weight.Value, Math.Min(forward.Value, backwardInput.Value)));

    /// <summary>
    /// ZB-H2's version: how much of a rank's own span one weight pass fills, T_W up to T_F (a longer W fills only T_F,
    /// whatever T_B is).
    /// </summary>
    // derived from ZeroBubbleH2's order (arXiv:2401.10241 Table 2 has T_W <= T_F): min(T_F, T_W); checked against the event simulator
    public static Seconds WeightFillH2(Seconds forward, Seconds weight) => new(Math.Min(weight.Value, forward.Value));

    /// <summary>
    /// Pipeline makespan with identical stages, for <paramref name="slot"/> = one micro-batch's forward and full
    /// backward (input plus weight pass, plus the sends), <paramref name="weight"/> = its weight pass T_W and
    /// <paramref name="fill"/> = what a weight pass fills of the drain (<see cref="WeightFill"/>, for ZB-H2
    /// <see cref="WeightFillH2"/>; T_W in the paper's regime). ZB-H2's is the longest span of one rank, its step time with
    /// steps overlapping (ZeroBubbleH2). Exact against the event simulator without transfers for GPipe, 1F1B and
    /// interleaved and ZB-H1 at every m; for ZB-H2 for m >= 2p - 1, or any m when T_F + T_B >= 2·fill (the bubble does
    /// not close; otherwise below m = 2p - 1 it comes out short by less than (p - 1) fills).
    /// </summary>
    public static Seconds Makespan(ScheduleKind schedule, int p, int m, int v, Seconds slot, Seconds weight, Seconds fill) => schedule switch
    {
        // arXiv:2104.04473 §2.2.2: interleaved 1F1B takes m + (p - 1)/v slots
        ScheduleKind.Interleaved => slot * (m + (p - 1.0) / v),
        // arXiv:2401.10241 Table 2: ZB-H1 bubble (p - 1)(T_F + T_B - T_W) vs 1F1B's (p - 1)(T_F + T_B + T_W), i.e. 2(p - 1)T_W less
        // for m >= p: W leaves the backward chain ((p - 1)T_W) and p - 1 W passes fill the drain. Below (outside the table) the
        // generator's order fills it with min(p - 1, m - 1) (derived from ZeroBubble's order; checked against the simulator, exact)
        ScheduleKind.ZeroBubbleH1 => slot * (m + p - 1.0) - weight * (p - 1.0) - fill * Math.Min(p - 1, m - 1),
        // arXiv:2401.10241 Table 2: ZB-H2 bubble (p - 1)(T_F + T_B - 2T_W), 2(p - 1) fills, for m >= 2p - 1 (Fig. 4); below, its order
        // fills min(2(p - 1), m - 1) (derived from ZeroBubble's order; checked against the simulator); never below m slots
        ScheduleKind.ZeroBubbleH2 => Seconds.Max(slot * m, slot * (m + p - 1.0) - weight * (p - 1.0) - fill * Math.Min(2 * (p - 1), m - 1)),
        ScheduleKind.DualPipeV => throw new ArgumentException("DualPipeV's makespan needs the forward and the input backward apart: use DualPipeVClosedForm.Makespan"),
        // arXiv:2104.04473 §2.2.1: GPipe and 1F1B take m + p - 1 slots
        _ => slot * (m + p - 1.0),
    };

    /// <summary>
    /// Micro-batches' worth of activations held at the peak on rank r: GPipe m; 1F1B min(p - r, m)
    /// (arXiv:2104.04473 §2.2), and ZB-H1 the same (arXiv:2401.10241 Table 2: p·M_B, as 1F1B); ZB-H2 min(2(p - r) - 1, m)
    /// (Table 2: (2p - 1)·M_B on rank 0); interleaved 2(p - r - 1) + (v - 1)p + 1 chunks of 1/v each (Megatron-LM's
    /// warm-up count), which on rank 0 is p(1 + (p - 1)/(p v)) (arXiv:2205.05198 §4.2.3); DualPipeV p + 1/2 on every rank
    /// (2p + 1 chunks of 1/2 each: the DualPipe README's PP + 1 with PP = 2p stages).
    /// </summary>
    public static double InFlight(ScheduleKind schedule, int p, int m, int v, int r) => schedule switch
    {
        ScheduleKind.GPipe => m,
        ScheduleKind.OneFOneB or ScheduleKind.ZeroBubbleH1 => Math.Min(p - r, m),
        // ZeroBubbleH2: 2(p - r - 1) warm-up forwards and one more before the first backward; arXiv:2401.10241 Table 2 (2p - 1)M_B
        ScheduleKind.ZeroBubbleH2 => Math.Min(2 * (p - r) - 1, m),
        // DualPipeV: 2p + 1 chunks of half the rank's layers on every rank for m >= 2p (deepseek-ai/DualPipe README: PP + 1 stages' worth)
        ScheduleKind.DualPipeV => Math.Min(2.0 * p + 1, 2.0 * m) / 2,
        _ => Math.Min(2.0 * (p - r - 1) + (v - 1.0) * p + 1, (double)m * v) / v,
    };
}
