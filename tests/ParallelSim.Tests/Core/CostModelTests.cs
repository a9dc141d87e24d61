using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Units;

namespace ParallelSim.Tests.Core;

public class CostModelTests
{
    [Theory]
    // Megatron-LM theoretical_memory_usage.py: 18 B/param; distributed optimizer 6 + 12/dp
    [InlineData(PrecisionPolicy.Megatron, ZeroStage.None, 8, 18.0)]
    [InlineData(PrecisionPolicy.Megatron, ZeroStage.OptimizerStates, 8, 6 + 12.0 / 8)]
    // arXiv:1910.02054 §3 and Table 1: 16, 4 + 12/dp, 2 + 14/dp, 16/dp
    [InlineData(PrecisionPolicy.Zero, ZeroStage.None, 64, 16.0)]
    [InlineData(PrecisionPolicy.Zero, ZeroStage.OptimizerStates, 64, 4 + 12.0 / 64)]
    [InlineData(PrecisionPolicy.Zero, ZeroStage.Gradients, 64, 2 + 14.0 / 64)]
    [InlineData(PrecisionPolicy.Zero, ZeroStage.Parameters, 64, 16.0 / 64)]
    // plain autocast: fp32 params 4 + fp32 grads 4 + Adam 8
    [InlineData(PrecisionPolicy.TorchAmp, ZeroStage.None, 1, 16.0)]
    [InlineData(PrecisionPolicy.Bf16, ZeroStage.None, 1, 8.0)]
    public void Model_state_bytes_per_parameter_follow_the_papers(PrecisionPolicy policy, ZeroStage zero, int dp, double expected) =>
        Assert.Equal(expected, ModelStateBytes.Sharded(policy, zero, dp).Total, 12);

    [Fact]
    public void Eager_swiglu_keeps_silu_of_the_gate_as_a_fourth_ffn_wide_tensor()
    {
        // fused SwiGLU keeps gate, up and the product; eager PyTorch (torch-amp) also silu(gate): one more 2·s·b·f
        var m = Catalog.Default.Model("llama3.2-1b");
        var fused = new ParallelPlan(1, 1, 1, 1, 1, 2, 2, ZeroStage.None, RecomputeMode.None, false, ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true);
        var eager = fused with { Precision = PrecisionPolicy.TorchAmp };
        double extra = ActivationMemory.PerLayer(m, eager, false) - ActivationMemory.PerLayer(m, fused, false);
        // torch-amp also holds the two fp32 norm inputs (+4·s·b·h over bf16)
        Assert.Equal(2.0 * m.SeqLength * 2 * m.FfnHidden + 4.0 * m.SeqLength * 2 * m.Hidden, extra, 6);
        var gpt = m with { Arch = Architecture.Gpt };
        Assert.Equal(4.0 * m.SeqLength * 2 * m.Hidden,
            ActivationMemory.PerLayer(gpt, eager, false) - ActivationMemory.PerLayer(gpt, fused, false), 6);
    }

    [Fact]
    public void Autocast_copies_the_output_layer_but_not_the_input_embedding()
    {
        // torch-amp on one GPU: the bf16 copies autocast keeps are the linear weights; an untied input embedding stays fp32,
        // so untying the embeddings adds weights and gradients but no activation-side copy
        var tied = Catalog.Default.Model("llama3.2-1b") with { TiedEmbeddings = true };
        var untied = tied with { TiedEmbeddings = false };
        var c = new ClusterSpec(Catalog.Default.Node("hgx-h200"), 1);
        var plan = new ParallelPlan(1, 1, 1, 1, 1, 2, 4, ZeroStage.None, RecomputeMode.None, false, ScheduleKind.OneFOneB, PrecisionPolicy.TorchAmp, true);
        var a = CostModel.Evaluate(tied, c, plan, CostOptions.Default).Stages[0];
        var b = CostModel.Evaluate(untied, c, plan, CostOptions.Default).Stages[0];
        Assert.Equal(a.ActivationsPerMicroBatch.Value, b.ActivationsPerMicroBatch.Value, 3);
        Assert.Equal(4.0 * tied.Vocab * tied.Hidden, b.Weights.Value - a.Weights.Value, 3);
    }

    [Fact]
    public void Rope_costs_llama_layers_elementwise_time_and_more_so_eager()
    {
        var m = Catalog.Default.Model("llama3.2-1b");
        var c = new ClusterSpec(Catalog.Default.Node("hgx-h200"), 1);
        var fused = new ParallelPlan(1, 1, 1, 1, 1, 4, 4, ZeroStage.None, RecomputeMode.None, false, ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true);
        var eager = fused with { Precision = PrecisionPolicy.TorchAmp };
        var gpt = m with { Arch = Architecture.Gpt, FfnHidden = 2 * m.FfnHidden };
        var llamaFused = LayerTime.Of(m, c, fused, false).ElementwiseForward;
        var llamaEager = LayerTime.Of(m, c, eager, false);
        var gptEager = LayerTime.Of(gpt, c, eager, false);
        Assert.True(llamaEager.ElementwiseForward > llamaFused, "eager RoPE and SwiGLU move more bytes than the fused kernels");
        // eager Llama launches silu, the product and 10 RoPE kernels where eager GPT launches one GELU
        Assert.Equal(gptEager.KernelsForward + 11, llamaEager.KernelsForward);
        Assert.Equal(LayerTime.Of(gpt, c, fused, false).KernelsForward + 1, LayerTime.Of(m, c, fused, false).KernelsForward);
    }

    [Fact]
    public void Activations_scale_with_the_in_flight_count_the_schedule_reports()
    {
        // the schedule engine feeds PipelineOutcome.PeakInFlight; the memory report must use it, not its own count
        var m = Catalog.Default.Model("gpt3-13b");
        var c = new ClusterSpec(Catalog.Default.Node("dgx-a100"), 8);
        var plan = new ParallelPlan(2, 4, 1, 1, 1, 1, 16, ZeroStage.None, RecomputeMode.Selective, true, ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true);
        var o = CostOptions.Default;
        var costs = CostModel.Evaluate(m, c, plan, o);
        var closed = ClosedFormPipeline.Evaluate(plan, costs, o);
        var simulated = closed with { PeakInFlight = [2.5, 1, 1, 1], Method = "test" };
        var a = Evaluator.Combine(m, c, plan, o, costs, closed).Memory.Stages[0];
        var b = Evaluator.Combine(m, c, plan, o, costs, simulated).Memory.Stages[0];
        Assert.Equal(4, a.MicroBatchesInFlight);
        Assert.Equal(2.5, b.MicroBatchesInFlight);
        Assert.Equal(a.Activations.Value / 4 * 2.5, b.Activations.Value, 1e-6 * a.Activations.Value);
    }

    [Fact]
    public void Flash_attention_removes_the_quadratic_activation_term()
    {
        var m = Catalog.Default.Model("megatron-22b");
        var plan = new ParallelPlan(8, 1, 1, 1, 1, 4, 4, ZeroStage.None, RecomputeMode.None, false, ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, false);
        double s = m.SeqLength, b = 4, h = m.Hidden, a = m.Heads, t = 8;
        // arXiv:2205.05198 eq. 2: sbh(10 + 24/t + 5as/(ht)) with dropout, no flash attention
        Assert.Equal(s * b * h * (10 + 24 / t + 5 * a * s / (h * t)), ActivationMemory.PerLayer(m, plan, dropout: true), 1e-9 * s * b * h);
        double flash = ActivationMemory.PerLayer(m, plan with { FlashAttention = true }, dropout: true);
        Assert.True(flash < s * b * h * (10 + 24 / t + 1), $"flash attention keeps {flash / (s * b * h):F2} sbh");
    }

    [Fact]
    public void Tp_comm_overlap_never_slows_a_step()
    {
        var m = Catalog.Default.Model("gpt3-13b");
        var c = new ClusterSpec(Catalog.Default.Node("dgx-h100"), 8);
        var plan = new ParallelPlan(8, 1, 1, 1, 1, 1, 8, ZeroStage.None, RecomputeMode.None, true, ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true);
        var exposed = Evaluator.Evaluate(m, c, plan, CostOptions.Default).Time.Step;
        var overlapped = Evaluator.Evaluate(m, c, plan, CostOptions.Default with { TpCommOverlap = true }).Time.Step;
        Assert.True(overlapped < exposed, $"overlapped {overlapped.Value} s, exposed {exposed.Value} s");
    }

    [Fact]
    public void A_pass_is_never_faster_than_its_kernel_launches()
    {
        var m = Catalog.Default.Model("gpt3-125m");
        var c = new ClusterSpec(Catalog.Default.Node("hgx-h200"), 1);
        var plan = new ParallelPlan(1, 1, 1, 1, 1, 1, 1, ZeroStage.None, RecomputeMode.None, false, ScheduleKind.OneFOneB, PrecisionPolicy.TorchAmp, true);
        var slowHost = CostOptions.Default with { HostDispatchPerKernel = Seconds.FromMicroseconds(1000) };
        var st = CostModel.Evaluate(m, c, plan, slowHost).Stages[0];
        Assert.True(st.Forward.Value >= m.Layers * 1e-3 * 10, $"forward {st.Forward.Value} s for {m.Layers} layers of at least 10 kernels at 1 ms each");
    }

    [Fact]
    public void Overlapped_dp_reduction_still_exposes_the_embedding_bucket()
    {
        // a small model whose DP traffic fits inside the last backward and first forward: only the bucket holding the
        // input embedding (ready when the backward ends; gathered first by the next forward) stays exposed
        var m = Catalog.Default.Model("gpt3-1.3b");
        var c = new ClusterSpec(Catalog.Default.Node("dgx-h100"), 64);
        var plan = new ParallelPlan(1, 1, 64, 1, 1, 1, 512, ZeroStage.OptimizerStates, RecomputeMode.None, false, ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true);
        var costs = CostModel.Evaluate(m, c, plan, CostOptions.Default);
        var st = costs.Stages[0];
        Assert.True(costs.DpComm < st.Forward + st.Backward, "this plan's DP traffic should fit the overlap window");
        var exposed = costs.DpComm - costs.DpOverlappable;
        Assert.True(exposed > Seconds.Zero);
        Assert.True(exposed < costs.DpComm * 0.5);
        var none = CostModel.Evaluate(m, c, plan, CostOptions.Default with { OverlapGradReduce = false });
        Assert.Equal(Seconds.Zero, none.DpOverlappable);
    }
}

