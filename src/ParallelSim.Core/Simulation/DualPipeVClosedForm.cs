using ParallelSim.Core.Costs;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Simulation;

/// <summary>
/// DualPipeV's closed forms (deepseek-ai/DualPipe's DualPipeV; the order of ParallelSim.Schedules' DualPipeV generator, with
/// F then B run one after the other where the reference overlaps a pair): its makespan and bubble with identical chunks,
/// and the analytical path's step with the cost model's ranks (<see cref="ClosedFormPipeline.Evaluate"/>).
/// </summary>
public static class DualPipeVClosedForm
{
    /// <summary>
    /// One DualPipeV chunk's forward, input backward and weight backward (each half a rank's pass; the forward and the
    /// input backward with one send each unless overlapped), taken pass by pass from the lightest ranks: no chunk is lighter.
    /// </summary>
    // a rank's two chunks split its layers evenly (StepCostsAdapter), so half the lightest rank's pass is at most any chunk's
    public static (Seconds Forward, Seconds BackwardInput, Seconds Weight) LightestChunk(StepCosts costs, bool overlapP2P)
    {
        var send = overlapP2P ? Seconds.Zero : costs.P2PTransfer;
        Seconds Half(Func<StageCost, Seconds> pass) => new(costs.Stages.Min(s => pass(s).Value) / 2);
        return (Half(s => s.Forward) + send, Half(s => s.BackwardInput) + send, Half(s => s.BackwardWeight));
    }

    /// <summary>
    /// The busiest DualPipeV rank's work per micro-batch: its forward and full backward over both chunks, plus the sends it
    /// makes unless overlapped (<see cref="Sends"/>).
    /// </summary>
    public static Seconds BusiestSlot(StepCosts costs, bool overlapP2P)
    {
        int p = costs.Stages.Count;
        var send = overlapP2P ? Seconds.Zero : costs.P2PTransfer;
        return costs.Stages.Select((s, r) => s.Forward + s.Backward + Sends(p, r) * send).MaxBy(t => t.Value);
    }

    /// <summary>
    /// Point-to-point sends per micro-batch of DualPipeV's rank r: a forward and a backward out of each chunk, except at
    /// the ends of the V (rank 0's first and last stage) and at its turn (stages p - 1 and p, both on rank p - 1).
    /// </summary>
    // 2·([r < p - 1] + [r >= 1]): 2 on rank 0 and rank p - 1, 4 on the others, none on a single rank
    public static int Sends(int p, int r) => 2 * ((r < p - 1 ? 1 : 0) + (r >= 1 ? 1 : 0));

    /// <summary>
    /// DualPipeV's step from the busiest rank's work per micro-batch (<paramref name="busiestSlot"/>,
    /// <see cref="BusiestSlot"/>) and the lightest chunk: the larger of two lower bounds, since a fixed
    /// order's makespan only grows with each duration: the busiest rank's m slots, and the step with every chunk as light
    /// as <paramref name="lightest"/> (<see cref="Makespan"/>). Exact when the stages are identical and the sends
    /// overlapped (the two meet); with the cost model's heavier rank 0 (embedding and loss) the simulator is 0.25-1.5% slower
    /// on GPT-3 plans (175B on 64 and 1,024 A100s, 1.3B on 8). Sends not overlapped are charged to every chunk's forward and
    /// input backward at the lightest pace (the V's ends and turn send nothing), so there the bound is approximate: from
    /// 0.15% above the simulator to 1.5% below on the same plans.
    /// </summary>
    // max(m·slot of the busiest rank, 2m(F + I + W) + bubble of the lightest chunk)
    public static Seconds Step(int p, int m, Seconds busiestSlot, (Seconds Forward, Seconds BackwardInput, Seconds Weight) lightest) =>
        Seconds.Max(busiestSlot * m, Makespan(p, m, lightest.Forward, lightest.BackwardInput, lightest.Weight));

    /// <summary>
    /// DualPipeV's makespan for m >= 2p micro-batches from one chunk's forward, input backward and weight backward (identical
    /// chunks, F then B run one after the other where the reference overlaps them): every rank computes 2m(F + I + W), plus
    /// <see cref="Bubble"/>, which does not depend on m. Exact against the event simulator without transfers.
    /// </summary>
    // 2m chunk passes of F + B per rank (two chunks, m micro-batches each) plus the bubble
    public static Seconds Makespan(int p, int m, Seconds forward, Seconds backwardInput, Seconds weight) =>
        2.0 * m * (forward + backwardInput + weight) + Bubble(p, forward, backwardInput, weight);

    /// <summary>
    /// DualPipeV's idle time per rank, in deepseek-ai/DualPipe's order with F then B run one after the other: the larger
    /// of (p - 1)(F + max(0, I - W, F - W - min(I, W))), the turn of the V paced by the forwards, and
    /// (p - 1)(I + max(0, I - W)) - F, paced by the input backwards when I > F. For W &lt;= I &lt;= F &lt;= I + W this is
    /// (p - 1)(F + B - 2W), B = I + W; the README's (p - 1)(F&amp;B + B - 3W) with F&amp;B = F + B is (p - 1)·I more,
    /// since an overlapped pair starts only when both its forward's input and its backward's gradient have arrived,
    /// while a forward on its own need not wait for the gradient.
    /// </summary>
    // fitted to DualPipeV's critical path and checked exact against the event simulator (p 1..16, m 2p..64, F, I, W from 0.05 to 3)
    public static Seconds Bubble(int p, Seconds forward, Seconds backwardInput, Seconds weight)
    {
        if (p <= 1) return Seconds.Zero;
        double f = forward.Value, i = backwardInput.Value, w = weight.Value;
        double byForwards = (p - 1) * (f + Math.Max(0, Math.Max(i - w, f - w - Math.Min(i, w))));
        double byInputBackwards = (p - 1) * (i + Math.Max(0, i - w)) - f;
        return new Seconds(Math.Max(byForwards, byInputBackwards));
    }
}
