namespace ParallelSim.Schedules.Generators;

/// <summary>
/// ZB-H1 (arXiv:2401.10241 §3.1, Fig. 3): 1F1B with the backward split into I (inputs) and W (weights).
/// Rank r warms up with min(p - r - 1, m) forwards like 1F1B, then runs F, I pairs; the W of each micro-batch
/// waits r steps (sail-sg efficiency.py get_hand_schedule, warmup_c = 1), so the W passes fill the cool-down
/// bubble: (p - 1)(T_F + T_B - T_W) instead of 1F1B's (p - 1)(T_F + T_B + T_W), with the same peak activations.
/// </summary>
public static class ZeroBubbleH1
{
    public static PipelineSchedule Build(int p, int m)
    {
        Guard.Positive(("p", p), ("m", m));
        var ranks = new IReadOnlyList<PipelineAction>[p];
        for (int r = 0; r < p; r++)
        {
            var list = new List<PipelineAction>(3 * m);
            int warmup = Math.Min(p - r - 1, m), f = 0, w = 0;
            for (; f < warmup; f++) list.Add(new(r, ActionKind.Forward, f));
            for (int i = 0; i < m; i++)
            {
                if (f < m) list.Add(new(r, ActionKind.Forward, f++));
                list.Add(new(r, ActionKind.BackwardInput, i));
                if (warmup + i >= p - 1) list.Add(new(r, ActionKind.BackwardWeight, w++));
            }
            while (w < m) list.Add(new(r, ActionKind.BackwardWeight, w++));
            ranks[r] = list;
        }
        return new PipelineSchedule("zb-h1", p, m, ranks);
    }
}
