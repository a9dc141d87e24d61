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
    /// arXiv:2104.04473 §2.2: GPipe and 1F1B take (m + p - 1) slots of the slowest stage; interleaved with v
    /// chunks m + (p - 1)/v. A slot is one micro-batch's forward and backward plus its point-to-point sends.
    /// </summary>
    public static PipelineOutcome Evaluate(ParallelPlan plan, StepCosts costs, CostOptions o)
    {
        int p = plan.Pp, m = plan.MicroBatches, v = plan.Schedule == ScheduleKind.Interleaved ? plan.Vpp : 1;
        var slot = Seconds.Zero; var busy = Seconds.Zero; var busySum = Seconds.Zero;
        foreach (var st in costs.Stages)
        {
            var compute = st.Forward + st.Backward;
            busySum += compute;
            var comm = o.OverlapP2P ? Seconds.Zero : 2 * v * costs.P2PTransfer;
            slot = Seconds.Max(slot, compute + comm);
            busy = Seconds.Max(busy, compute);
        }
        double slots = plan.Schedule == ScheduleKind.Interleaved ? m + (p - 1.0) / v : m + p - 1.0;
        var inFlight = new double[p];
        for (int r = 0; r < p; r++) inFlight[r] = InFlight(plan.Schedule, p, m, v, r);
        var makespan = slot * slots;
        double idle = makespan.Value > 0 ? 1 - m * busySum.Value / (p * makespan.Value) : 0;
        return new PipelineOutcome(makespan, busy * m, inFlight, "closed form", Math.Max(0, idle));
    }

    /// <summary>
    /// Micro-batches' worth of activations held at the peak on rank r: GPipe m; 1F1B min(p - r, m)
    /// (arXiv:2104.04473 §2.2); interleaved 2(p - r - 1) + (v - 1)p + 1 chunks of 1/v each (Megatron-LM's
    /// warm-up count), which on rank 0 is p(1 + (p - 1)/(p v)) (arXiv:2205.05198 §4.2.3).
    /// </summary>
    public static double InFlight(ScheduleKind schedule, int p, int m, int v, int r) => schedule switch
    {
        ScheduleKind.GPipe => m,
        ScheduleKind.OneFOneB => Math.Min(p - r, m),
        _ => Math.Min(2.0 * (p - r - 1) + (v - 1.0) * p + 1, (double)m * v) / v,
    };
}
