using System.Text.Json;
using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Tests.Cli;

/// <summary>`validate --runs`: layers that pp does not divide, but layers + 2 does, map to the first and last stage one layer fewer.</summary>
public class ValidateRunsLayerSplitTests
{
    private const string Header = ValidateRunsTests.Columns + "\n";

    // the zero-bubble 1.5B model (22 layers on 8 stages) with a vocabulary, under 1F1B and 1F1B-I; 23 layers divide neither way
    private const string Rows = Header +
        "Paper Z,GPT-3-like 1.5B / schedule 1F1B,1.5,22,2304,24,9216,32000,1024,A100-SXM-80GB,8,1,8,1,,,6,144,,,,,,,,32,peak 32 GiB\n" +
        "Paper Z,GPT-3-like 1.5B / schedule 1F1B-I,1.5,22,2304,24,9216,32000,1024,A100-SXM-80GB,8,1,8,1,,max chunks (each layer a chunk),6,144,,,,,,,,40,peak 40 GiB\n" +
        "Paper Z,GPT-3-like 23 layers / schedule 1F1B,1.5,23,2304,24,9216,32000,1024,A100-SXM-80GB,8,1,8,1,,,6,144,,,,,,,,32,peak 32 GiB\n";

    private static readonly ModelSpec Zb = new("zb", Architecture.Gpt, 22, 2304, 24, 24, 9216, 32000, 1024, true, new Source("test"));

    private static double PeakGiB(ParallelPlan plan) => Evaluator.Evaluate(Zb, new ClusterSpec(Catalog.Default.Node("dgx-a100"), 8), plan,
        CostOptions.Default with { Dropout = false, IncludeRuntimeReserve = false }).Memory.Peak.GiB;

    [Fact]
    public void Rows_whose_layers_need_the_embedding_and_loss_counted_are_evaluated_with_that_split()
    {
        var r = CliRunner.Run("validate", "--runs", ValidateRunsTests.TempFile("runs.csv", Rows), "--format", "json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var suite = doc.RootElement.GetProperty("suites").EnumerateArray().Single();
        var cases = suite.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(2, cases.Length);
        var plan = new ParallelPlan(1, 8, 1, 1, 1, 6, 144, ZeroStage.None, RecomputeMode.None, false, ScheduleKind.OneFOneB,
            PrecisionPolicy.Megatron, true, LayerSplit.EmbeddingAndLoss);
        Assert.Equal(PeakGiB(plan), cases[0].GetProperty("predicted").GetDouble(), 9);
        // "max chunks": one layer per chunk of the 24 counted, v = 3
        Assert.Equal(PeakGiB(plan with { Schedule = ScheduleKind.Interleaved, Vpp = 3 }), cases[1].GetProperty("predicted").GetDouble(), 9);
        // 23 + 2 = 25 does not divide by 8 either: skipped with the validator's reason
        var skipped = suite.GetProperty("skipped").EnumerateArray().Single();
        Assert.Contains("layers (23) must be divisible by pp x vpp (8 x 1 = 8)", skipped.GetProperty("reason").GetString());
    }

    [Fact]
    public void The_public_lists_zero_bubble_rows_stay_skipped_for_their_empty_vocabulary()
    {
        string data = Path.Combine(AppContext.BaseDirectory, "Data", "published-runs.csv");
        var r = CliRunner.Run("validate", "--runs", data, "--suite", "Qi et al", "--format", "json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var suite = doc.RootElement.GetProperty("suites").EnumerateArray().Single();
        Assert.Equal(0, suite.GetProperty("cases").GetArrayLength());
        Assert.All(suite.GetProperty("skipped").EnumerateArray(), s => Assert.Contains("vocab is empty", s.GetProperty("reason").GetString()));
    }
}
