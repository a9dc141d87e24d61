namespace ParallelSim.Schedules.Simulation;

/// <summary>A schedule whose ranks all wait on each other; the message names each blocked rank's next action and what it waits for.</summary>
public sealed class ScheduleDeadlockException(string message, IReadOnlyList<(int Rank, PipelineAction Action, string WaitsFor)> pending)
    : InvalidOperationException(message)
{
    public IReadOnlyList<(int Rank, PipelineAction Action, string WaitsFor)> Pending { get; } = pending;
}
