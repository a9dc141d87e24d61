namespace ParallelSim.Schedules.Generators;

/// <summary>
/// 1F1B, PipeDream-Flush (arXiv:2006.09503; arXiv:2104.04473 §2.2.1): rank r runs min(p - r - 1, m) warm-up
/// forwards, then alternates one forward and one backward, then drains the remaining backwards.
/// </summary>
public static class OneFOneB
{
    public static PipelineSchedule Build(int p, int m)
    {
        Guard.Positive(("p", p), ("m", m));
        var ranks = new IReadOnlyList<PipelineAction>[p];
        for (int r = 0; r < p; r++)
        {
            var list = new List<PipelineAction>(2 * m);
            int warmup = Math.Min(p - r - 1, m);
            for (int i = 0; i < warmup; i++) list.Add(new(r, ActionKind.Forward, i));
            for (int i = 0; i < m - warmup; i++)
            {
                list.Add(new(r, ActionKind.Forward, warmup + i));
                list.Add(new(r, ActionKind.FullBackward, i));
            }
            for (int i = m - warmup; i < m; i++) list.Add(new(r, ActionKind.FullBackward, i));
            ranks[r] = list;
        }
        return new PipelineSchedule("1f1b", p, m, ranks);
    }
}
