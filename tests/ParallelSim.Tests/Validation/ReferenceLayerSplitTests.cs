using ParallelSim.Cli.Commands;
using ParallelSim.Readers;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Validation;

namespace ParallelSim.Tests.Validation;

/// <summary>
/// The layer split in reference suites: inputs firstStageLayers, lastStageLayers, embeddingAsLayer and lossAsLayer, and the
/// older pipeline name of the zero-bubble layout read as the embedding and the loss counted as layers.
/// </summary>
public class ReferenceLayerSplitTests
{
    /// <summary>A one-case suite of the zero-bubble 1.5B model (22 layers, 8 stages) with the given extra inputs.</summary>
    private static string Suite(string inputs) => $$"""
        {
          "suite": "split-test", "title": "t", "source": "arXiv:2401.10241 Table 3",
          "inputs": { "cluster": "dgx-a100", "tp": 1, "dp": 1, "pp": 8, "gpus": 8, "microBatch": 6, "globalBatch": 144, "recompute": "none",
                      "flashAttention": false, "dropout": true, "includeRuntimeReserve": false, {{inputs}} },
          "cases": [ { "name": "c", "locator": "Table 4", "metric": "peakGiB", "expected": 20,
                       "inputs": { "model": { "name": "zb-1.5b", "arch": "gpt", "layers": 22, "hidden": 2304, "heads": 24, "kvHeads": 24,
                                              "ffnHidden": 9216, "vocab": 32000, "seqLength": 1024, "tiedEmbeddings": false } } } ]
        }
        """;

    private static ReferenceInputs Read(string inputs) => ReferenceReader.Read(Suite(inputs), "test.json", Catalog.Default).Cases.Single().Inputs;

    [Fact]
    public void The_older_pipeline_name_is_the_event_simulation_with_embedding_and_loss_counted_as_layers()
    {
        var old = Read("\"pipeline\": \"event-simulation-end-stages-one-layer-fewer\", \"schedule\": \"interleaved\", \"vppLayersPerChunk\": 1");
        var now = Read("\"pipeline\": \"event-simulation\", \"embeddingAsLayer\": true, \"lossAsLayer\": true, \"schedule\": \"interleaved\", \"vppLayersPerChunk\": 1");
        Assert.Equal(ReferencePipeline.EventSimulation, old.Pipeline);
        Assert.Equal(LayerSplit.EmbeddingAndLoss, old.Plan.Split);
        Assert.Equal(now.Plan, old.Plan);
        Assert.Equal(22, old.Model!.Layers);
        // Megatron arguments.py: one layer per chunk counts the embedding and the loss in, v = (22 + 2) / 8 = 3
        Assert.Equal(3, old.Plan.Vpp);
        var run = ReferenceEvaluation.Evaluate(old);
        Assert.Equal(new[] { 2, 3, 3, 3, 3, 3, 3, 2 }, run.Memory.Stages.Select(s => s.Layers));
    }

    [Fact]
    public void Counts_are_inputs_too_and_give_the_same_1F1B_result_as_the_accounting()
    {
        var counts = Read("\"pipeline\": \"event-simulation\", \"firstStageLayers\": 2, \"lastStageLayers\": 2");
        Assert.Equal(new LayerSplit(2, 2), counts.Plan.Split);
        var accounting = Read("\"pipeline\": \"event-simulation\", \"embeddingAsLayer\": true, \"lossAsLayer\": true");
        Assert.Equal(ReferenceEvaluation.Evaluate(accounting).Time.Step, ReferenceEvaluation.Evaluate(counts).Time.Step);
    }

    [Fact]
    public void A_bad_split_in_a_suite_is_reported_with_where_it_is()
    {
        var e = Assert.Throws<UserInputException>(() => Read("\"firstStageLayers\": 3, \"lastStageLayers\": 3"));
        Assert.Contains(e.Problems, p => p.StartsWith("test.json: cases[0]: first-stage-layers (3) and last-stage-layers (3) leave 16 of 22 layers for 6 middle stages",
            StringComparison.Ordinal));
        var even = Assert.Throws<UserInputException>(() => Read("\"pipeline\": \"closed-form\""));
        Assert.Contains(even.Problems, p => p.Contains("layers (22) must be divisible by pp x vpp (8 x 1 = 8)"));
    }

    [Fact]
    public void The_zero_bubble_suite_runs_its_cases_in_the_papers_layout()
    {
        var suite = ReferenceReader.Embedded(Catalog.Default).Single(s => s.Name == "zero-bubble-2024-table4");
        Assert.All(suite.Cases, c => Assert.Equal(LayerSplit.EmbeddingAndLoss, c.Inputs.Plan.Split));
        Assert.All(suite.Cases, c => Assert.Equal(ReferencePipeline.EventSimulation, c.Inputs.Pipeline));
        // 1F1B-I: one layer per chunk
        Assert.All(suite.Cases.Where(c => c.Inputs.Plan.Schedule == ScheduleKind.Interleaved),
            c => Assert.Equal((c.Inputs.Model!.Layers + 2) / c.Inputs.Plan.Pp, c.Inputs.Plan.Vpp));
    }
}
