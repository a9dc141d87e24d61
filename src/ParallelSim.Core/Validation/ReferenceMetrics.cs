namespace ParallelSim.Core.Validation;

/// <summary>What kind of number a metric is.</summary>
public static class ReferenceMetrics
{
    /// <summary>
    /// True when the metric is read off the step time (time, throughput, MFU, HFU, FLOP rates), so kernel and link speeds move it;
    /// false for memory, which no speed factor changes.
    /// </summary>
    public static bool DependsOnTime(this ReferenceMetric m) => m switch
    {
        ReferenceMetric.IterationSeconds or ReferenceMetric.Mfu or ReferenceMetric.Hfu or ReferenceMetric.SamplesPerGpuPerSecond
            or ReferenceMetric.ModelTflopsPerGpu or ReferenceMetric.HardwareTflopsPerGpu => true,
        _ => false,
    };
}
