namespace ParallelSim.Schedules.Generators;

/// <summary>GPipe (arXiv:1811.06965): every rank runs all forwards, then all backwards.</summary>
public static class GPipe
{
    public static PipelineSchedule Build(int p, int m)
    {
        Guard.Positive(("p", p), ("m", m));
        var ranks = Enumerable.Range(0, p).Select(r => (IReadOnlyList<PipelineAction>)
            Enumerable.Range(0, m).Select(i => new PipelineAction(r, ActionKind.Forward, i))
            .Concat(Enumerable.Range(0, m).Select(i => new PipelineAction(r, ActionKind.FullBackward, i))).ToArray()).ToArray();
        return new PipelineSchedule("gpipe", p, m, ranks);
    }
}
