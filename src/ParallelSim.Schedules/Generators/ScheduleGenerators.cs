using ParallelSim.Core.Parallelism;

namespace ParallelSim.Schedules.Generators;

/// <summary>The generator for each schedule kind of a plan: the one switch over kinds.</summary>
public static class ScheduleGenerators
{
    public static PipelineSchedule Build(ScheduleKind kind, int p, int m, int v) => kind switch
    {
        ScheduleKind.GPipe => GPipe.Build(p, m),
        ScheduleKind.OneFOneB => OneFOneB.Build(p, m),
        ScheduleKind.Interleaved => Interleaved1F1B.Build(p, m, v),
        ScheduleKind.ZeroBubbleH1 => ZeroBubbleH1.Build(p, m),
        ScheduleKind.ZeroBubbleH2 => ZeroBubbleH2.Build(p, m),
        // two chunks per rank by construction (v is checked by the plan validator)
        ScheduleKind.DualPipeV => DualPipeV.Build(p, m),
        _ => throw new ArgumentException($"no generator for schedule {kind}"),
    };
}
