using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs.Terms;

/// <summary>The optimizer step: memory-bound passes over this GPU's shard of the states.</summary>
public static class OptimizerStep
{
    /// <param name="heldParams">parameters this GPU holds before optimizer sharding (the largest stage's, ÷ tp)</param>
    public static Seconds Of(GpuSpec gpu, ParallelPlan plan, double heldParams)
    {
        double shardParams = heldParams / (plan.Zero >= ZeroStage.OptimizerStates ? plan.Dp : 1);
        var optimizer = Roofline.MemoryBound(gpu, shardParams * ModelStateBytes.OptimizerStepBytes(plan.Precision));
        if (plan.Precision == PrecisionPolicy.Megatron)
            // Megatron DDP keeps one contiguous fp32 grad buffer that the distributed optimizer does not shard: it is
            // zeroed whole every step (distributed_data_parallel.py zero_grad_buffer) and, under the default
            // --check-for-nan-in-loss-and-grad, each bucket's norm is read before its reduce-scatter
            // (param_and_grad_buffer.py start_grad_sync): write 4 + read 4 bytes per parameter held
            optimizer += Roofline.MemoryBound(gpu, heldParams * (4 + 4));
        return optimizer;
    }
}
