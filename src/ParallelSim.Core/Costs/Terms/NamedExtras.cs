using ParallelSim.Core.Parallelism;

namespace ParallelSim.Core.Costs.Terms;

/// <summary>Memory a stage holds at its peak beyond model states and activations, each named.</summary>
public static class NamedExtras
{
    /// <summary>ZeRO-3's working set: the largest layer's gathered weights, fetched and prefetched (2 in flight), in the stack's gather dtype.</summary>
    public static double Zero3WorkingSet(ParallelPlan plan, CostOptions o, long layerParams) =>
        plan.Zero == ZeroStage.Parameters ? 2 * (o.Stack.ParamGatherBytes ?? 2.0) * layerParams / plan.Tp : 0;

    /// <summary>
    /// CUDA context, NCCL buffers, and what the caching allocator holds beyond the allocated model states and one micro-batch's
    /// activations (fragmentation), when the runtime reserve is counted.
    /// </summary>
    public static double RuntimeReserve(CostOptions o, double activationBytes, double modelStateBytes) =>
        o.IncludeRuntimeReserve ? o.CudaContext.Value + o.CommBuffers.Value + o.AllocatorReserveFraction * (activationBytes + modelStateBytes) : 0;
}
