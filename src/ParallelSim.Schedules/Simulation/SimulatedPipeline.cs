using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Schedules.Generators;

namespace ParallelSim.Schedules.Simulation;

/// <summary>A plan's schedule, simulated: the timeline, what it says, and the outcome Core's evaluator combines.</summary>
public sealed record SimulatedRun(PipelineSchedule Schedule, Timeline Timeline, TimelineSummary Summary, PipelineOutcome Outcome);

/// <summary>The event-simulation path for a plan: generate its schedule, run it with the cost model's durations.</summary>
public static class SimulatedPipeline
{
    /// <summary>With a cluster, each stage boundary uses the link its ranks' placement implies.</summary>
    public static SimulatedRun Run(ParallelPlan plan, StepCosts costs, CostOptions options, ClusterSpec? cluster = null) =>
        Run(ScheduleGenerators.Build(plan.Schedule, costs.Stages.Count, plan.MicroBatches, PipelineChunks.PerRank(plan)), plan, costs, options, cluster);

    /// <summary>
    /// A given schedule (e.g. read from CSV) with the plan's durations: its stages must run where the plan's schedule puts
    /// them (stage c·p + r on rank r; with DualPipeV stages r and 2p - 1 - r), with the plan's chunks per rank
    /// (<see cref="StepCostsAdapter.Chunks"/>), as the generated schedules do.
    /// </summary>
    public static SimulatedRun Run(PipelineSchedule schedule, ParallelPlan plan, StepCosts costs, CostOptions options, ClusterSpec? cluster = null)
    {
        var timeline = PipelineSimulator.Run(schedule, StepCostsAdapter.Durations(costs, plan, cluster), new SimulatorOptions(options.OverlapP2P));
        var summary = TimelineSummary.Of(timeline);
        return new SimulatedRun(schedule, timeline, summary, Outcome(plan.Schedule, summary, "event simulation"));
    }

    /// <summary>
    /// What a simulated step contributes to the step time: first start to last end, or for ZB-H2 the longest span of one
    /// rank, since that schedule overlaps consecutive steps (arXiv:2401.10241 §3.1: its parallelogram needs the optimizer
    /// synchronisation removed, §4; <see cref="TimelineSummary.PeriodBubbleFraction"/>).
    /// </summary>
    public static PipelineOutcome Outcome(ScheduleKind kind, TimelineSummary s, string method) => kind == ScheduleKind.ZeroBubbleH2
        ? new PipelineOutcome(s.Period, s.BusiestRankCompute, s.PeakMicroBatchesHeld, method + ", steps overlapping", s.PeriodBubbleFraction)
        : new PipelineOutcome(s.Makespan, s.BusiestRankCompute, s.PeakMicroBatchesHeld, method, s.BubbleFraction);
}
