using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Core.Validation;

/// <summary>What a reference case compares: one number read off a simulation (or a formula).</summary>
public enum ReferenceMetric
{
    /// <summary>Step time in seconds.</summary>
    IterationSeconds,
    /// <summary>Weights + gradients + optimizer states per GPU on the first stage, GiB.</summary>
    ModelStateGiB,
    /// <summary>Weights + gradients + optimizer states of the first stage's transformer layers only (no embedding), GiB.</summary>
    LayerModelStateGiB,
    /// <summary>Activations held at the peak on the first stage, GiB.</summary>
    ActivationGiB,
    /// <summary>Model FLOPs utilisation (fraction of peak).</summary>
    Mfu,
    /// <summary>Memory allocated between iterations (model states), bytes.</summary>
    StaticBytes,
    /// <summary>Peak memory of the limiting stage, bytes.</summary>
    PeakBytes,
    /// <summary>Model-state bytes per device for a bare parameter count (ZeRO Table 1), decimal GB.</summary>
    ModelStateGB,
    /// <summary>Samples (sequences) per GPU per second: global batch / step time / GPUs.</summary>
    SamplesPerGpuPerSecond,
    /// <summary>Peak memory of the limiting stage, GiB (2^30 bytes).</summary>
    PeakGiB,
    /// <summary>Peak memory of the limiting stage, decimal GB (10^9 bytes).</summary>
    PeakGB,
    /// <summary>Hardware FLOPs utilisation: model FLOPs plus what recomputation runs again (fraction of peak).</summary>
    Hfu,
    /// <summary>Model FLOPs per GPU per second, TFLOP/s (MFU x peak).</summary>
    ModelTflopsPerGpu,
    /// <summary>Hardware FLOPs (recomputation included) per GPU per second, TFLOP/s (HFU x peak).</summary>
    HardwareTflopsPerGpu,
    /// <summary>1 when the model agrees that a run that ran fits (its verdict is fits or tight), else 0; published 1.</summary>
    RanAsMeasured,
    /// <summary>1 when the model agrees that a run that ran out of memory does not fit (reserved beyond the capacity), else 0; published 1.</summary>
    OutOfMemoryAsMeasured,
}

/// <summary>Which pipeline evaluation a case needs.</summary>
public enum ReferencePipeline
{
    /// <summary>The closed-form pipeline (<see cref="Simulation.Evaluator.Evaluate"/>); layers placed by the plan's split.</summary>
    ClosedForm,
    /// <summary>The event simulator; layers placed by the plan's split.</summary>
    EventSimulation,
}

/// <summary>
/// The inputs of one reference case: a model, cluster, plan and options for a full evaluation, or only a
/// parameter count and a plan for the model-state formulas (<see cref="ReferenceMetric.ModelStateGB"/>).
/// </summary>
public sealed record ReferenceInputs(ModelSpec? Model, ClusterSpec? Cluster, ParallelPlan Plan, CostOptions Options, double? Parameters,
    ReferencePipeline Pipeline = ReferencePipeline.ClosedForm);

/// <summary>
/// One published (or measured) number with where it comes from and how close the model must come.
/// A null tolerance means only the suite's mean absolute percentage error is bounded.
/// </summary>
public sealed record ReferenceCase(
    string Suite,
    string Name,
    Source Source,
    ReferenceInputs Inputs,
    ReferenceMetric Metric,
    double Expected,
    double? TolerancePct,
    double PrintedResolution);

/// <summary>A row of a user's data that gives no case, and why (unknown GPU, missing shape, unsupported schedule...).</summary>
public sealed record SkippedCase(string Name, string Locator, string Reason);

/// <summary>Whether anything in the model was fitted or chosen on a suite's data.</summary>
public enum SampleLabel
{
    /// <summary>Nobody said (a user's file without a label).</summary>
    Unlabelled,
    /// <summary>Something in the model was fitted or chosen on it: agreement there is a calibration check, not a prediction.</summary>
    InSample,
    /// <summary>Nothing was fitted to it: agreement there is a prediction.</summary>
    OutOfSample,
}

/// <summary>The labels as written in suite files and run lists ("sample": "in" | "out").</summary>
public static class SampleNames
{
    public static readonly IReadOnlyDictionary<string, SampleLabel> Labels = new Dictionary<string, SampleLabel>(StringComparer.OrdinalIgnoreCase)
    {
        ["in"] = SampleLabel.InSample, ["out"] = SampleLabel.OutOfSample,
    };

    /// <summary>"in", "out", or "-" for unlabelled.</summary>
    public static string Short(SampleLabel l) => l switch { SampleLabel.InSample => "in", SampleLabel.OutOfSample => "out", _ => "-" };

    public static string Long(SampleLabel l) => l switch { SampleLabel.InSample => "in sample", SampleLabel.OutOfSample => "out of sample", _ => "unlabelled" };
}

/// <summary>
/// A suite of reference cases from one source, with an optional bound on their MAPE, and the rows of its data that
/// could not be evaluated (reported, never counted in the MAPE).
/// </summary>
public sealed record ReferenceSuite(string Name, string Title, Source Source, double? MapeLimitPct, IReadOnlyList<ReferenceCase> Cases,
    IReadOnlyList<SkippedCase>? Skipped = null)
{
    public IReadOnlyList<SkippedCase> SkippedCases => Skipped ?? [];

    /// <summary>Whether the model was fitted or chosen on this suite.</summary>
    public SampleLabel Sample { get; init; } = SampleLabel.Unlabelled;

    /// <summary>What was fitted or chosen on it, in words ("nothing" for an out-of-sample suite).</summary>
    public string FittedTo { get; init; } = "not stated";
}
