namespace ParallelSim.Schedules.Generators;

/// <summary>
/// The zero-bubble hand schedules (arXiv:2401.10241 §3.1; sail-sg efficiency.py get_hand_schedule): 1F1B with the
/// backward split into I (inputs) and W (weights), and <c>warmupFactor</c> c forwards of warm-up per later stage.
/// Rank r warms up with min(c(p - r - 1), m) forwards, then runs F (while forwards remain), I, and from step c·r on a
/// W after each I, so its first c·r W passes wait; they close the list. c = 1 is ZB-H1 (p micro-batches in flight, as
/// 1F1B), c = 2 is ZB-H2 (2p - 1 on rank 0, the parallelogram). With the full warm-up (m >= c(p - r - 1)) this is the
/// authors' order (their W test, warm-up + step >= c(p - 1), is step >= c·r); capping the warm-up at m keeps every m
/// valid, and testing the step rather than warm-up + step then runs each W as early as the uncapped order would
/// (a capped warm-up under their test holds back more W passes: a longer step at m &lt; c(p - 1), never a shorter one).
/// </summary>
public static class ZeroBubble
{
    public static PipelineSchedule Build(int p, int m, int warmupFactor)
    {
        Guard.Positive(("p", p), ("m", m));
        if (warmupFactor is not (1 or 2))
            throw new ArgumentException($"warmup factor must be 1 (ZB-H1) or 2 (ZB-H2) (got {warmupFactor})");
        var ranks = new IReadOnlyList<PipelineAction>[p];
        for (int r = 0; r < p; r++)
        {
            var list = new List<PipelineAction>(3 * m);
            int warmup = Math.Min(warmupFactor * (p - r - 1), m), f = 0, w = 0;
            for (; f < warmup; f++) list.Add(new(r, ActionKind.Forward, f));
            for (int i = 0; i < m; i++)
            {
                if (f < m) list.Add(new(r, ActionKind.Forward, f++));
                list.Add(new(r, ActionKind.BackwardInput, i));
                if (i >= warmupFactor * r) list.Add(new(r, ActionKind.BackwardWeight, w++));
            }
            while (w < m) list.Add(new(r, ActionKind.BackwardWeight, w++));
            ranks[r] = list;
        }
        return new PipelineSchedule($"zb-h{warmupFactor}", p, m, ranks);
    }
}
