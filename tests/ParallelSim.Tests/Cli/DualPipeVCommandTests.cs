using System.Text.Json;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Tests.Cli;

/// <summary>`--schedule dualpipev` through the commands: it runs, it defaults to its two chunks, and bad input exits 2 naming what is valid.</summary>
public class DualPipeVCommandTests
{
    private static readonly string[] Small = ["--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--cluster", "dgx-a100", "--global-batch", "16"];

    [Fact]
    public void Simulate_runs_it_and_shows_memory_per_stage_with_the_loss_on_rank_0()
    {
        var r = CliRunner.Run(["simulate", .. Small, "--schedule", "dualpipev", "--vpp", "2", "--format", "json"]);
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("dualpipev", root.GetProperty("plan").GetProperty("schedule").GetString());
        var stages = root.GetProperty("memory").GetProperty("stages").EnumerateArray().ToArray();
        Assert.Equal(4, stages.Length);
        // 2p + 1 = 9 half-rank chunks in flight: p + 1/2 micro-batches' worth on ranks 1..3 (rank 0's chunks differ in size)
        for (int s = 1; s < 4; s++) Assert.Equal(4.5, stages[s].GetProperty("microBatchesInFlight").GetDouble(), 9);
        // rank 0 holds the embedding and the logits: the most memory, the last rank no more than a middle one
        Assert.Equal(0, root.GetProperty("memory").GetProperty("limitingStage").GetInt32());
        Assert.True(stages[0].GetProperty("otherBytes").GetDouble() > stages[3].GetProperty("otherBytes").GetDouble());
        Assert.Equal(stages[1].GetProperty("peakBytes").GetDouble(), stages[3].GetProperty("peakBytes").GetDouble(), 1e-6);

        var text = CliRunner.Run(["simulate", .. Small, "--schedule", "dualpipev", "--vpp", "2"]);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("dualpipev: stage r holds virtual stages r and 7 - r, stage 0 the embedding and the loss", text.Out);
    }

    [Fact]
    public void Without_vpp_dualpipev_takes_its_two_chunks()
    {
        var r = CliRunner.Run(["simulate", .. Small, "--schedule", "dualpipev", "--format", "json"]);
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(2, doc.RootElement.GetProperty("plan").GetProperty("vpp").GetInt32());
    }

    [Theory]
    [InlineData("1", "the dualpipev schedule needs vpp 2 (two chunks per rank: stages r and 2 x pp - 1 - r); got vpp 1")]
    [InlineData("4", "the dualpipev schedule needs vpp 2 (two chunks per rank: stages r and 2 x pp - 1 - r); got vpp 4")]
    public void A_vpp_other_than_2_exits_2_naming_the_valid_value(string vpp, string message)
    {
        var r = CliRunner.Run(["simulate", .. Small, "--schedule", "dualpipev", "--vpp", vpp]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Err);
        Assert.Contains(message, r.Err);
        Assert.DoesNotContain("Exception", r.Err);
    }

    [Fact]
    public void An_uneven_layer_split_exits_2_since_the_v_pairs_stage_r_with_2pp_minus_1_minus_r()
    {
        var r = CliRunner.Run(["simulate", .. Small, "--schedule", "dualpipev", "--embedding-as-layer", "true", "--loss-as-layer", "true"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("the dualpipev schedule takes an even layer split only", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
    }

    [Fact]
    public void A_wrong_name_exits_2_listing_dualpipev_among_the_valid_ones()
    {
        var r = CliRunner.Run(["simulate", .. Small, "--schedule", "dualpipe", "--vpp", "2"]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Err);
        Assert.Contains("--schedule 'dualpipe' is not valid (valid: gpipe, 1f1b, interleaved, zb-h1, zb-h2, dualpipev)", r.Err);
        // no second complaint about vpp against a schedule that was never named
        Assert.DoesNotContain("vpp (2)", r.Err);
    }

    [Fact]
    public void Fewer_than_2pp_micro_batches_exit_2_naming_the_minimum()
    {
        var r = CliRunner.Run(["simulate", "--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--global-batch", "6", "--schedule", "dualpipev"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("the dualpipev schedule needs at least 2 x pp micro-batches (pp 4: 8 or more; got 6", r.Err);
    }

    [Fact]
    public void Explain_bubble_and_memory_name_it()
    {
        var bubble = CliRunner.Run(["explain", "bubble", "--pp", "4", "--micro-batches", "16", "--schedule", "dualpipev"]);
        Assert.Equal(0, bubble.ExitCode);
        Assert.Contains("dualpipev at p 4, m 16", bubble.Out);
        // equal F, I and W passes per chunk: (p - 1)/(6m) = 3/96
        Assert.Contains("(p - 1)/(6m) = 3/(6·16) = 0.03125", bubble.Out);
        var memory = CliRunner.Run(["explain", "memory", "--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--global-batch", "16", "--schedule", "dualpipev"]);
        Assert.Equal(0, memory.ExitCode);
        Assert.Contains("DualPipeV: p + 1/2 on every rank", memory.Out);
    }

    [Fact]
    public void Explain_bubble_in_seconds_is_the_closed_form()
    {
        var r = CliRunner.Run(["explain", "bubble", "--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--global-batch", "16",
            "--schedule", "dualpipev", "--format", "json"]);
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var steps = doc.RootElement.GetProperty("steps").EnumerateArray().ToArray();
        double Step(string text) => steps.First(s => s.GetProperty("text").GetString()!.StartsWith(text, StringComparison.Ordinal)).GetProperty("value").GetDouble();
        Assert.True(Step("DualPipeV: idle time per step") > 0);
        // the same plan on the analytical path: its pipeline time is the explainer's
        var catalog = ParallelSim.Readers.Catalog.Default;
        var plan = new ParallelPlan(2, 4, 1, 1, 2, 1, 16, ZeroStage.None, RecomputeMode.Selective, true, ScheduleKind.DualPipeV, PrecisionPolicy.Megatron, true);
        var cluster = new ClusterSpec(catalog.Node("dgx-a100"), 8);
        var costs = CostModel.Evaluate(catalog.Model("gpt3-1.3b"), cluster, plan, CostOptions.Default);
        double closed = ClosedFormPipeline.Evaluate(plan, costs, CostOptions.Default).Makespan.Value;
        Assert.Equal(closed, Step("pipeline time per step"), 1e-9 * closed);
    }

    [Fact]
    public void The_sweep_can_be_restricted_to_it()
    {
        var r = CliRunner.Run("sweep", "--model", "gpt3-1.3b", "--gpus", "8", "--global-batch", "32", "--schedule", "dualpipev", "--top", "5");
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(" dualpipev ", r.Out);
        Assert.DoesNotContain(" zb-h1 ", r.Out);
    }
}
