using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Units;
using ParallelSim.Schedules.Generators;

namespace ParallelSim.Schedules.Simulation;

/// <summary>
/// The zero-bubble paper's pipeline layout (arXiv:2401.10241 Table 3): the first and the last stage hold one layer
/// fewer than the others, so that with the embedding and the logits they cost about as much. Modelled as a model of
/// layers + 2 slots split evenly (<see cref="Slots"/>), of which one layer is then taken off the first and the last
/// virtual stage: its time and activations from the durations, and its time, activations and model states from the
/// first and last rank's costs (so memory and throughput follow the layout too).
/// </summary>
public static class PaperLayout
{
    /// <summary>The model the cost model runs: two more layer slots, the two end ones left empty.</summary>
    public static ModelSpec Slots(ModelSpec model) => model with { Layers = model.Layers + 2 };

    /// <summary>
    /// Per-virtual-stage durations of <paramref name="costs"/> (computed for the slot model) with one layer's time and
    /// activations taken off the very first and very last virtual stage (with chunks: chunk 0 of rank 0, chunk v-1 of rank p-1).
    /// </summary>
    public static StageDurations Durations(StepCosts costs, ParallelPlan plan, ClusterSpec? cluster = null)
    {
        var durations = StepCostsAdapter.Durations(costs, plan, cluster);
        var layer = StepCostsAdapter.Layer(costs);
        int last = durations.Stages.Count - 1;
        return durations.With(0, durations.Stages[0].WithoutLayers(layer, 1)).With(last, durations.Stages[last].WithoutLayers(layer, 1));
    }

    /// <summary>
    /// The slot model's costs with one layer fewer on the first and the last rank: time and activations by the lightest
    /// per-layer share (<see cref="StepCostsAdapter.Layer"/>), weights, gradients and optimizer states by one layer's parameters.
    /// </summary>
    public static StepCosts Costs(StepCosts costs, ModelSpec slotModel)
    {
        var layer = StepCostsAdapter.Layer(costs);
        long layerParams = ParameterCount.PerLayer(slotModel);
        var stages = costs.Stages.ToArray();
        foreach (int r in new[] { 0, stages.Length - 1 }.Distinct())
        {
            var s = stages[r];
            // model states scale with the rank's parameters (StageCost.Parameters is before tp sharding, as the layer count is)
            double k = s.Parameters > 0 ? (double)layerParams / s.Parameters : 0;
            stages[r] = s with
            {
                Layers = s.Layers - 1,
                Forward = s.Forward - layer.Forward,
                Backward = s.Backward - layer.FullBackward,
                BackwardInput = s.BackwardInput - layer.BackwardInput,
                BackwardWeight = s.BackwardWeight - layer.BackwardWeight,
                // exposed TP and CP time is per layer (CostModel: layers × per-layer time), so one layer's share goes
                TpComm = s.Layers > 0 ? s.TpComm * ((s.Layers - 1.0) / s.Layers) : s.TpComm,
                CpComm = s.Layers > 0 ? s.CpComm * ((s.Layers - 1.0) / s.Layers) : s.CpComm,
                ActivationsPerMicroBatch = s.ActivationsPerMicroBatch - layer.ActivationsPerMicroBatch,
                Weights = s.Weights * (1 - k),
                Gradients = s.Gradients * (1 - k),
                Optimizer = s.Optimizer * (1 - k),
                Parameters = s.Parameters - layerParams,
            };
        }
        return costs with { Stages = stages };
    }

    /// <summary>The event simulation of <paramref name="plan"/> (over the slot model) in the paper's layout, combined into a result.</summary>
    public static (SimulationResult Result, SimulatedRun Run) Evaluate(ModelSpec slotModel, ClusterSpec cluster, ParallelPlan plan, CostOptions options)
    {
        var full = CostModel.Evaluate(slotModel, cluster, plan, options);
        var schedule = ScheduleGenerators.Build(plan.Schedule, full.Stages.Count, plan.MicroBatches, StepCostsAdapter.Chunks(plan));
        var timeline = PipelineSimulator.Run(schedule, Durations(full, plan, cluster), new SimulatorOptions(options.OverlapP2P));
        var summary = TimelineSummary.Of(timeline);
        var outcome = SimulatedPipeline.Outcome(plan.Schedule, summary, "event simulation, end stages one layer fewer");
        var run = new SimulatedRun(schedule, timeline, summary, outcome);
        return (Evaluator.Combine(slotModel, cluster, plan, options, Costs(full, slotModel), outcome), run);
    }
}
