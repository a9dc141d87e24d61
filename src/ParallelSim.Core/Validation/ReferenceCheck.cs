using ParallelSim.Core.Costs;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Core.Validation;

/// <summary>A case's prediction against its published value.</summary>
public sealed record CaseOutcome(ReferenceCase Case, double Predicted)
{
    /// <summary>Signed error relative to the published value, percent.</summary>
    public double ErrorPct => (Predicted - Case.Expected) / Case.Expected * 100;

    /// <summary>
    /// Within tolerance: |error| at most the tolerance, or the prediction rounds to the printed value (published
    /// numbers mean "this value to the printed digit", e.g. 0.12 covers 0.115 to 0.125).
    /// </summary>
    public bool Within => Case.TolerancePct is not double tol
        || Math.Abs(ErrorPct) <= tol
        || Math.Abs(Predicted - Case.Expected) <= Case.PrintedResolution / 2;
}

/// <summary>A suite's outcomes and its mean absolute percentage error.</summary>
public sealed record SuiteOutcome(ReferenceSuite Suite, IReadOnlyList<CaseOutcome> Cases)
{
    public double MapePct => Cases.Count == 0 ? 0 : Cases.Average(c => Math.Abs(c.ErrorPct));
    public bool MapeWithin => Suite.MapeLimitPct is not double lim || MapePct <= lim;
    public bool Passed => MapeWithin && Cases.All(c => c.Within);
}

/// <summary>
/// Runs reference cases through the cost model. Cases on the closed-form pipeline need nothing else; cases that need
/// the event simulator take an evaluator from the caller (Core does not reference the schedules project).
/// </summary>
public static class ReferenceCheck
{
    /// <summary>Evaluates a case's inputs into a full result (model and cluster are set).</summary>
    public delegate SimulationResult CaseEvaluator(ReferenceInputs inputs);

    public static SuiteOutcome Run(ReferenceSuite suite, CaseEvaluator? evaluate = null) =>
        new(suite, suite.Cases.Select(c => new CaseOutcome(c, Predict(c, evaluate))).ToArray());

    public static double Predict(ReferenceCase c, CaseEvaluator? evaluate = null)
    {
        var i = c.Inputs;
        if (c.Metric == ReferenceMetric.ModelStateGB)
            // arXiv:1910.02054 §3 and Table 1: per-device model states = Ψ × bytes per parameter after sharding
            return (i.Parameters ?? 0) * ModelStateBytes.Sharded(i.Plan.Precision, i.Plan.Zero, i.Plan.Dp).Total / 1e9;
        if (i.Model is null || i.Cluster is null) throw new ArgumentException($"reference case '{c.Name}' needs a model and a cluster");
        if (i.Pipeline != ReferencePipeline.ClosedForm && evaluate is null)
            throw new ArgumentException($"reference case '{c.Name}' needs {i.Pipeline}: pass an evaluator that runs the event simulator");
        var r = evaluate is null ? Evaluator.Evaluate(i.Model, i.Cluster, i.Plan, i.Options) : evaluate(i);
        var first = r.Memory.Stages[0];
        return c.Metric switch
        {
            ReferenceMetric.IterationSeconds => r.Time.Step.Value,
            ReferenceMetric.ModelStateGiB => (first.Weights + first.Gradients + first.Optimizer).GiB,
            ReferenceMetric.LayerModelStateGiB => (first.Weights + first.Gradients + first.Optimizer).GiB
                * first.Layers * Models.ParameterCount.PerLayer(i.Model) / r.Costs.Stages[0].Parameters,
            ReferenceMetric.ActivationGiB => first.Activations.GiB,
            ReferenceMetric.Mfu => r.Throughput.Mfu,
            ReferenceMetric.StaticBytes => r.Memory.Stages.Max(s => (s.Weights + s.Gradients + s.Optimizer).Value),
            ReferenceMetric.PeakBytes => r.Memory.Peak.Value,
            // samples per step over step time and GPUs (arXiv:2401.10241 Table 4's "samples per GPU per second")
            ReferenceMetric.SamplesPerGpuPerSecond => r.Plan.GlobalBatch / r.Time.Step.Value / r.Plan.Gpus,
            // the limiting rank's peak in 2^30 bytes (Megatron's report_memory prints torch.cuda memory in MB of 2^20 bytes)
            ReferenceMetric.PeakGiB => r.Memory.Peak.GiB,
            ReferenceMetric.PeakGB => r.Memory.Peak.GB,
            ReferenceMetric.Hfu => r.Throughput.Hfu,
            ReferenceMetric.ModelTflopsPerGpu => r.Throughput.ModelFlopsPerGpu.Value / 1e12,
            // arXiv:2104.04473 eq. 3: Megatron's TFLOP/s count the recomputed forward, i.e. the hardware rate
            ReferenceMetric.HardwareTflopsPerGpu => r.Throughput.HardwareFlopsPerGpu.Value / 1e12,
            ReferenceMetric.RanAsMeasured => r.Memory.Verdict != MemoryVerdict.DoesNotFit ? 1 : 0,
            ReferenceMetric.OutOfMemoryAsMeasured => r.Memory.Fits ? 0 : 1,
            _ => throw new ArgumentOutOfRangeException(nameof(c)),
        };
    }
}
