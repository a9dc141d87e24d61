using ParallelSim.Readers;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Tests.Core;

public class PlanValidatorTests
{
    private static readonly ParallelPlan Good = new(8, 8, 1, 1, 1, 1, 64, ZeroStage.None, RecomputeMode.Selective, true,
        ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true);
    private static ClusterSpec Cluster(int gpus) => new(Catalog.Default.Node("dgx-a100"), gpus);
    private static IReadOnlyList<PlanIssue> Check(ParallelPlan p, int gpus = 64, string model = "gpt3-175b") =>
        PlanValidator.Validate(Catalog.Default.Model(model), Cluster(gpus), p);
    private static string Errors(IReadOnlyList<PlanIssue> issues) =>
        string.Join("\n", issues.Where(i => i.Severity == Severity.Error).Select(i => i.Message));

    [Fact]
    public void The_default_plan_is_valid() => Assert.Empty(Check(Good));

    [Fact]
    public void Heads_not_divisible_by_tp_names_both_values() =>
        Assert.Contains("heads (96) must be divisible by tp (5)", Errors(Check(Good with { Tp = 5, Pp = 1, Dp = 1, GlobalBatch = 1 }, 5)));

    [Fact]
    public void Kv_heads_not_divisible_by_tp_is_an_error()
    {
        var llama = Catalog.Default.Model("llama3-8b"); // 8 KV heads
        var issues = PlanValidator.Validate(llama with { KvHeads = 6, Heads = 48, Hidden = 6144 }, Cluster(16), Good with { Tp = 16, Pp = 1, GlobalBatch = 1 });
        Assert.Contains("kv-heads (6) must be divisible by tp (16)", Errors(issues));
    }

    [Fact]
    public void Layers_not_divisible_by_pp_times_vpp() =>
        Assert.Contains("layers (96) must be divisible by pp x vpp (8 x 5 = 40)",
            Errors(Check(Good with { Vpp = 5, Schedule = ScheduleKind.Interleaved })));

    [Fact]
    public void Global_batch_not_divisible_by_micro_batch_times_dp() =>
        Assert.Contains("global-batch (64) must be divisible by micro-batch x dp (3 x 1 = 3)", Errors(Check(Good with { MicroBatch = 3 })));

    [Fact]
    public void Gpu_count_must_match_the_product() =>
        Assert.Contains("tp x pp x dp x cp (8 x 8 x 1 x 1 = 64) must equal the GPU count (128)", Errors(Check(Good, 128)));

    [Fact]
    public void Vpp_needs_the_interleaved_schedule() =>
        Assert.Contains("vpp (2) > 1 needs the interleaved schedule, or dualpipev with vpp 2 (got 1f1b)", Errors(Check(Good with { Vpp = 2 })));

    [Fact]
    public void DualPipeV_needs_vpp_2()
    {
        Assert.Contains("the dualpipev schedule needs vpp 2 (two chunks per rank: stages r and 2 x pp - 1 - r); got vpp 1",
            Errors(Check(Good with { Schedule = ScheduleKind.DualPipeV, Vpp = 1 })));
        Assert.Contains("the dualpipev schedule needs vpp 2 (two chunks per rank: stages r and 2 x pp - 1 - r); got vpp 4",
            Errors(Check(Good with { Schedule = ScheduleKind.DualPipeV, Vpp = 4 })));
        Assert.Empty(Errors(Check(Good with { Schedule = ScheduleKind.DualPipeV, Vpp = 2 })));
    }

    [Fact]
    public void DualPipeV_needs_at_least_2pp_micro_batches() =>
        Assert.Contains("the dualpipev schedule needs at least 2 x pp micro-batches (pp 8: 16 or more; got 12 = global-batch / (micro-batch x dp))",
            Errors(Check(Good with { Schedule = ScheduleKind.DualPipeV, Vpp = 2, GlobalBatch = 12 })));

    [Fact]
    public void Interleaved_needs_micro_batches_a_multiple_of_pp() =>
        Assert.Contains("micro-batches (12) to be a multiple of pp (8)",
            Errors(Check(Good with { Schedule = ScheduleKind.Interleaved, Vpp = 2, GlobalBatch = 12 })));

    [Fact]
    public void Tp_beyond_a_node_is_only_a_warning()
    {
        var issues = Check(Good with { Tp = 16, Pp = 4 });
        Assert.Empty(Errors(issues));
        Assert.Contains(issues, i => i.Severity == Severity.Warning && i.Message.Contains("tp (16) is larger than the GPUs of a node (8)"));
    }

    [Fact]
    public void Several_problems_are_reported_at_once()
    {
        var errors = Errors(Check(Good with { Tp = 5, MicroBatch = 3, Vpp = 7 }, 100));
        Assert.Contains("heads (96) must be divisible by tp (5)", errors);
        Assert.Contains("must be divisible by micro-batch x dp", errors);
        Assert.Contains("must equal the GPU count (100)", errors);
        Assert.Contains("vpp (7) > 1 needs the interleaved schedule", errors);
        Assert.Contains("layers (96) must be divisible by pp x vpp", errors);
    }

    [Fact]
    public void Non_positive_values_are_named() =>
        Assert.Contains("micro-batch must be at least 1 (got 0)", Errors(Check(Good with { MicroBatch = 0 })));
}
