namespace ParallelSim.Schedules;

/// <summary>
/// A pipeline schedule as data: for each rank, the ordered list of actions it runs. Which rank holds a
/// stage is read off the lists (interleaved: stage = chunk·p + rank; a V-shaped DualPipe placement
/// would simply list other stages).
/// </summary>
public sealed record PipelineSchedule(string Name, int Stages, int MicroBatches, IReadOnlyList<IReadOnlyList<PipelineAction>> PerRank)
{
    public int Ranks => PerRank.Count;

    /// <summary>The rank that runs each stage's compute (the first rank seen; the validator checks there is one).</summary>
    public int[] StageToRank()
    {
        var owner = Enumerable.Repeat(-1, Stages).ToArray();
        for (int r = 0; r < PerRank.Count; r++)
            foreach (var a in PerRank[r])
                if (a.IsCompute && a.Stage >= 0 && a.Stage < Stages && owner[a.Stage] < 0) owner[a.Stage] = r;
        return owner;
    }

    public int ActionCount => PerRank.Sum(l => l.Count);
}
