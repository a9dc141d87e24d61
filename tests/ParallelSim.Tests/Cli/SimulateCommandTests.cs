using System.Diagnostics;
using System.Text.Json;

namespace ParallelSim.Tests.Cli;

public class SimulateCommandTests
{
    [Fact]
    public void Defaults_print_a_table_with_mfu_and_memory()
    {
        var r = CliRunner.Run("simulate");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("gpt3-175b on 64 x A100-SXM-80GB", r.Out);
        Assert.Contains("mfu", r.Out);
        Assert.Contains("Memory per GPU by pipeline stage (GiB", r.Out);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void Json_has_the_documented_shape()
    {
        var r = CliRunner.Run("simulate", "--format", "json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        string[] Keys(string obj) => root.GetProperty(obj).EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Superset(new HashSet<string> { "name", "arch", "parameters", "layers", "hidden", "heads", "kvHeads", "ffnHidden", "vocab", "seqLength" }, Keys("model").ToHashSet());
        Assert.Superset(new HashSet<string> { "gpu", "gpus", "gpusPerNode", "nodes" }, Keys("cluster").ToHashSet());
        Assert.Superset(new HashSet<string> { "tp", "pp", "dp", "cp", "vpp", "microBatch", "globalBatch", "microBatches", "zero", "recompute",
            "sequenceParallel", "schedule", "precision", "flashAttention" }, Keys("plan").ToHashSet());
        Assert.Superset(new HashSet<string> { "fits", "capacityBytes", "peakBytes", "stages" }, Keys("memory").ToHashSet());
        var stage = root.GetProperty("memory").GetProperty("stages")[0].EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "stage", "layers", "weightsBytes", "gradientsBytes", "optimizerBytes", "activationsBytes", "otherBytes", "peakBytes" }, stage);
        Assert.Superset(new HashSet<string> { "stepSeconds", "computeSeconds", "bubbleSeconds", "bubbleFraction", "tpCommSeconds", "ppCommSeconds",
            "dpCommSeconds", "cpCommSeconds", "exposedCommSeconds", "optimizerSeconds" }, Keys("time").ToHashSet());
        Assert.Superset(new HashSet<string> { "tokensPerSecond", "modelFlopsPerStep", "hardwareFlopsPerStep", "modelTflopsPerGpu", "hardwareTflopsPerGpu",
            "mfu", "hfu" }, Keys("throughput").ToHashSet());
        Assert.Equal(8, root.GetProperty("memory").GetProperty("stages").GetArrayLength());
        Assert.Equal(1, root.GetProperty("plan").GetProperty("dp").GetInt32());
        Assert.True(root.GetProperty("memory").GetProperty("fits").GetBoolean(), "the default plan must fit");
        double mfu = root.GetProperty("throughput").GetProperty("mfu").GetDouble();
        Assert.InRange(mfu, 0.2, 0.8);
    }

    [Fact]
    public void A_model_given_only_by_flags_is_allowed()
    {
        var r = CliRunner.Run("simulate", "--layers", "4", "--hidden", "256", "--heads", "4", "--gpus", "2", "--tp", "1", "--pp", "2",
            "--global-batch", "8", "--cluster", "workstation-2x2080ti", "--format", "json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("custom", doc.RootElement.GetProperty("model").GetProperty("name").GetString());
        Assert.Equal(1024, doc.RootElement.GetProperty("model").GetProperty("ffnHidden").GetInt32());
    }

    [Theory]
    // GPT keeps 4h; Llama-2-7B's 11008/4096 ratio carries over; an explicit --ffn-hidden wins
    [InlineData("gpt3-175b", "--hidden", "2048", 8192)]
    [InlineData("llama2-7b", "--hidden", "2048", 5504)]
    [InlineData("gpt3-175b", "--ffn-hidden", "1000", 1000)]
    public void Overriding_hidden_scales_the_ffn_width_with_it(string model, string flag, string value, int expectedFfn)
    {
        var r = CliRunner.Run("simulate", "--model", model, flag, value, "--heads", "16", "--gpus", "8", "--tp", "8", "--pp", "1",
            "--global-batch", "8", "--format", "json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(expectedFfn, doc.RootElement.GetProperty("model").GetProperty("ffnHidden").GetInt32());
    }

    [Fact]
    public void Gpu_alone_picks_its_usual_node_and_dp_is_derived()
    {
        var r = CliRunner.Run("simulate", "--gpu", "h100-sxm-80gb", "--gpus", "128", "--global-batch", "128", "--format", "json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("dgx-h100", doc.RootElement.GetProperty("cluster").GetProperty("nodeType").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("plan").GetProperty("dp").GetInt32());
    }

    [Theory]
    [InlineData("simulate --gpus abc")]
    [InlineData("simulate --gpus -8")]
    [InlineData("simulate --gpus 0")]
    [InlineData("simulate --gpus 99999999999999")]
    [InlineData("simulate --gpu A200")]
    [InlineData("simulate --model gpt5")]
    [InlineData("simulate --schedule zigzag")]
    [InlineData("simulate --tp 5")]
    [InlineData("simulate --tp 0")]
    [InlineData("simulate --pp 7")]
    [InlineData("simulate --micro-batch 3")]
    [InlineData("simulate --zero 4")]
    [InlineData("simulate --recompute some")]
    [InlineData("simulate --precision fp64")]
    [InlineData("simulate --model /nonexistent/model.json")]
    [InlineData("simulate --vpp 2 --schedule 1f1b")]
    [InlineData("simulate --vpp 2 --schedule zb-h1")]
    [InlineData("simulate --vpp 2 --schedule zb-h2")]
    [InlineData("simulate --schedule zb-h3")]
    [InlineData("simulate --gpus 100")]
    [InlineData("simulate --flash-attention maybe")]
    [InlineData("simulate --format yaml")]
    [InlineData("simulate --bogus 1")]
    [InlineData("simulat")]
    [InlineData("simulate --cluster dgx-a100 --gpu H100-SXM-80GB")]
    [InlineData("simulate --layers 4")]
    [InlineData("catalog gpu")]
    [InlineData("simulate --global-batch -1 --tp 3 --pp 0")]
    public void Malformed_command_lines_give_a_clear_error_and_exit_2(string line)
    {
        var r = CliRunner.Run(line.Split(' '));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Err);
        Assert.DoesNotContain("   at ", r.Err); // no stack trace
        Assert.DoesNotContain("Exception", r.Err);
    }

    [Fact]
    public void Several_plan_problems_are_printed_together()
    {
        var r = CliRunner.Run("simulate", "--tp", "5", "--micro-batch", "3");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("heads (96) must be divisible by tp (5)", r.Err);
        Assert.Contains("--gpus (64) must be divisible by tp x pp x cp", r.Err);
    }

    [Fact]
    public void Zb_h1_is_a_schedule_simulate_runs_and_names()
    {
        string[] plan = ["simulate", "--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--global-batch", "32", "--format", "json"];
        var zb = CliRunner.Run([.. plan, "--schedule", "zb-h1"]);
        var one = CliRunner.Run([.. plan, "--schedule", "1f1b"]);
        Assert.Equal("", zb.Err);
        Assert.Equal(0, zb.ExitCode);
        using var z = JsonDocument.Parse(zb.Out);
        using var o = JsonDocument.Parse(one.Out);
        Assert.Equal("zb-h1", z.RootElement.GetProperty("plan").GetProperty("schedule").GetString());
        double Bubble(JsonDocument d) => d.RootElement.GetProperty("time").GetProperty("bubbleFraction").GetDouble();
        Assert.True(Bubble(z) < Bubble(o), $"zb-h1 {Bubble(z)} vs 1f1b {Bubble(o)}");
    }

    [Fact]
    public void Zb_h2_runs_with_2p_minus_1_micro_batches_in_flight_on_stage_0_and_a_shorter_step_than_zb_h1()
    {
        string[] plan = ["simulate", "--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--global-batch", "32"];
        var h2 = CliRunner.Run([.. plan, "--schedule", "zb-h2", "--format", "json"]);
        var h1 = CliRunner.Run([.. plan, "--schedule", "zb-h1", "--format", "json"]);
        Assert.Equal("", h2.Err);
        Assert.Equal(0, h2.ExitCode);
        using var z2 = JsonDocument.Parse(h2.Out);
        using var z1 = JsonDocument.Parse(h1.Out);
        Assert.Equal("zb-h2", z2.RootElement.GetProperty("plan").GetProperty("schedule").GetString());
        // arXiv:2401.10241 Table 2: (2p - 1)M_B on the first stage against ZB-H1's p M_B; the last stage holds one
        var stages = z2.RootElement.GetProperty("memory").GetProperty("stages");
        Assert.Equal(7.0, stages[0].GetProperty("microBatchesInFlight").GetDouble(), 9);
        Assert.Equal(1.0, stages[3].GetProperty("microBatchesInFlight").GetDouble(), 9);
        double Peak(JsonDocument d) => d.RootElement.GetProperty("memory").GetProperty("peakBytes").GetDouble();
        double StepSeconds(JsonDocument d) => d.RootElement.GetProperty("time").GetProperty("stepSeconds").GetDouble();
        Assert.True(Peak(z2) > Peak(z1));
        Assert.True(StepSeconds(z2) < StepSeconds(z1), $"zb-h2 {StepSeconds(z2)} vs zb-h1 {StepSeconds(z1)}");
        // the text report shows the in-flight count and says the step overlaps the next
        var text = CliRunner.Run([.. plan, "--schedule", "zb-h2"]);
        Assert.Contains("zb-h2 overlaps steps", text.Out);
        Assert.Matches(@"(?m)^0\s+6\s+.*\s7\.00\s", text.Out);
    }

    [Fact]
    public void Simulate_with_defaults_runs_well_under_a_second_in_process()
    {
        CliRunner.Run("simulate"); // warm up
        var sw = Stopwatch.StartNew();
        var r = CliRunner.Run("simulate", "--format", "json");
        sw.Stop();
        Assert.Equal(0, r.ExitCode);
        Assert.True(sw.Elapsed.TotalSeconds < 1, $"took {sw.Elapsed.TotalMilliseconds} ms");
    }
}
