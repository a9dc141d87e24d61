using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Tests.Stack;

/// <summary>
/// No prediction beyond what the stack's kernels can reach: the FLOPs a step really executes (causal attention is half the s x s
/// product the MFU convention counts) over its time stay under the peak times the fastest kernel curve of the stack on that GPU.
/// </summary>
public class PlausibilityTests
{
    private static readonly Catalog C = Catalog.Default;

    public static TheoryData<string, string, int> Grid()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var stack in new[] { "megatron-core-2024", "megatron-lm-2021", "pytorch-fsdp-2023", "torchtitan-fsdp2-2024", "deepspeed-zero3-2021" })
            foreach (var gpu in new[] { "A100-SXM-80GB", "H100-SXM-80GB" })
                foreach (int seq in new[] { 2048, 16384, 65536 })
                    data.Add(stack, gpu, seq);
        return data;
    }

    [Theory, MemberData(nameof(Grid))]
    public void Executed_flops_stay_under_the_stacks_fastest_kernel(string stackName, string gpuName, int seq)
    {
        var stack = C.Stack(stackName);
        var gpu = C.Gpu(gpuName);
        var m = C.Model("llama3-8b") with { SeqLength = seq };
        var cluster = new ClusterSpec(C.Node(gpu.DefaultNode), 8);
        var zero = stack.ZeroStages?.Max() ?? ZeroStage.OptimizerStates;
        var plan = new ParallelPlan(1, 1, 8, 1, 1, 1, 16, zero, RecomputeMode.Full, false, ScheduleKind.OneFOneB, stack.Precision, stack.FlashAttention);
        var r = Evaluator.Evaluate(m, cluster, plan, CostOptions.Default.ForStack(stack));

        // attention core counted full by the convention: 4·s²·h per layer per sequence forward, x3 with backward, +1 recomputed forward
        double attentionCounted = m.Layers * FlopCount.AttentionCore(m, 1, m.SeqLength) * (3 + 1) * plan.GlobalBatch;
        double executed = r.Throughput.HardwareFlopsPerStep.Value - (plan.FlashAttention ? 0.5 * attentionCounted : 0);
        double rate = executed / r.Time.Step.Value / plan.Gpus;
        var seen = stack.On(gpu);
        double fastest = Math.Max(seen.GemmEfficiency.Max, Math.Max(seen.AttentionEfficiency?.Max ?? 0, seen.AttentionBackwardEfficiency?.Max ?? 0));
        Assert.True(rate <= gpu.PeakBf16.Value * fastest * 1.0001,
            $"{stackName} on {gpuName} at seq {seq}: {rate / 1e12:F1} TFLOP/s executed, above {gpu.PeakBf16.Tflops * fastest:F1} ({fastest:F3} of peak)");
        Assert.InRange(r.Throughput.Mfu, 0.01, 1.0);
    }
}
