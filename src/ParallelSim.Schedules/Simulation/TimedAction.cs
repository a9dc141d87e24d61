using ParallelSim.Core.Units;

namespace ParallelSim.Schedules.Simulation;

/// <summary>One action as it ran: on which rank, from when to when.</summary>
public readonly record struct TimedAction(int Rank, PipelineAction Action, Seconds Start, Seconds End)
{
    public Seconds Duration => End - Start;
}

/// <summary>
/// The simulated run: every compute action with its start and end, grouped by rank in the order each
/// rank ran them, and the durations it ran with (for activation sizes).
/// </summary>
public sealed record Timeline(PipelineSchedule Schedule, StageDurations Durations, IReadOnlyList<IReadOnlyList<TimedAction>> PerRank)
{
    public int Ranks => PerRank.Count;
    public IEnumerable<TimedAction> All => PerRank.SelectMany(r => r);

    /// <summary>First start to last end, over all ranks.</summary>
    public Seconds Makespan
    {
        get
        {
            double first = double.PositiveInfinity, last = 0;
            foreach (var rank in PerRank)
                if (rank.Count > 0) { first = Math.Min(first, rank[0].Start.Value); last = Math.Max(last, rank[^1].End.Value); }
            return new Seconds(double.IsInfinity(first) ? 0 : last - first);
        }
    }
}
