namespace ParallelSim.Core.Stack;

/// <summary>
/// What naming a framework changes in a stack: how its data-parallel traffic is issued. Everything else (kernels, precision,
/// NIC efficiency) stays the stack's.
/// </summary>
public static class FrameworkBehaviour
{
    public static StackSpec Apply(StackSpec stack, Framework framework) => framework switch
    {
        // Megatron DDP and distributed optimizer: gradients reduced once, after the last micro-batch, in buckets
        // (megatron/core/distributed/distributed_data_parallel.py); ZeRO-3 does not exist there
        Framework.Megatron or Framework.MegatronDeepSpeed or Framework.Torch =>
            stack with { Framework = framework, ReduceEveryMicroBatch = false, PrefetchLayers = 0 },
        // DeepSpeed ZeRO-2/3 reduce-scatter every micro-batch's gradients (deepspeed/runtime/zero/stage_1_and_2.py and stage3.py
        // reduce_ready_partitions_and_remove_grads); stage 3 prefetches parameters (stage3_prefetch_bucket_size)
        Framework.DeepSpeed => stack with { Framework = framework, ReduceEveryMicroBatch = true, PrefetchLayers = Math.Max(1, stack.PrefetchLayers) },
        // PyTorch FSDP: reduce-scatter in every backward, all-gather one unit ahead (forward_prefetch / BACKWARD_PRE, FSDP notes)
        Framework.Fsdp => stack with { Framework = framework, ReduceEveryMicroBatch = true, PrefetchLayers = Math.Max(1, stack.PrefetchLayers) },
        _ => stack with { Framework = framework },
    };
}
