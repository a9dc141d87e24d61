using System.Text.Json;

namespace ParallelSim.Tests.Cli;

/// <summary>
/// Megatron-LM's uneven pipeline flags in a launch line: --decoder-first/last-pipeline-num-layers and
/// --account-for-embedding/loss-in-pipeline-split enter the plan's layer split.
/// </summary>
public class MegatronLayerSplitTests
{
    /// <summary>126 layers (Llama 3 405B's count) on 16 pipeline stages, small otherwise; world size tp × pp = 16.</summary>
    private static readonly string[] Line = ["pretrain_gpt.py", "--num-layers", "126", "--hidden-size", "1024", "--num-attention-heads", "8",
        "--seq-length", "1024", "--vocab-size", "32000", "--pipeline-model-parallel-size", "16", "--micro-batch-size", "1",
        "--global-batch-size", "32", "--bf16"];

    private static CliRunner.Outcome Run(params string[] more) => CliRunner.Run(["megatron", "--", .. Line, .. more]);

    [Fact]
    public void First_and_last_stage_counts_place_the_layers_and_are_explained()
    {
        var r = Run("--decoder-first-pipeline-num-layers", "7", "--decoder-last-pipeline-num-layers", "7");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("0 unknown", r.Out);
        var lines = r.Out.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("--decoder-first-pipeline-num-layers", StringComparison.Ordinal) && l.Contains(" used ")
            && l.Contains("the rest split evenly over the middle stages"));
        Assert.Contains(lines, l => l.StartsWith("--decoder-last-pipeline-num-layers", StringComparison.Ordinal) && l.Contains(" used "));
        Assert.Contains("layers   first 7, last 7: 7 | 8 x 14 | 7 layers per stage", r.Out);
    }

    [Fact]
    public void Accounting_flags_with_layers_per_virtual_stage_count_the_embedding_and_loss_in_vpp()
    {
        // Megatron arguments.py: vpp = (126 + 1 + 1) / 16 / 4 = 2
        var r = CliRunner.Run(["megatron", "--format", "json", "--", .. Line, "--account-for-embedding-in-pipeline-split",
            "--account-for-loss-in-pipeline-split", "--num-layers-per-virtual-pipeline-stage", "4"]);
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var plan = doc.RootElement.GetProperty("simulation").GetProperty("plan");
        Assert.Equal(2, plan.GetProperty("vpp").GetInt32());
        Assert.Equal("interleaved", plan.GetProperty("schedule").GetString());
        var split = plan.GetProperty("layerSplit");
        Assert.True(split.GetProperty("embeddingAsLayer").GetBoolean());
        Assert.True(split.GetProperty("lossAsLayer").GetBoolean());
        var chunks = split.GetProperty("virtualStageLayers").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(3, chunks[0]);
        Assert.All(chunks[1..31], n => Assert.Equal(4, n));
        Assert.Equal(3, chunks[31]);
        var rows = doc.RootElement.GetProperty("arguments").EnumerateArray().ToArray();
        Assert.Contains(rows, a => a.GetProperty("argument").GetString() == "--account-for-loss-in-pipeline-split" && a.GetProperty("status").GetString() == "used");
    }

    [Fact]
    public void The_accounting_alone_splits_126_layers_on_16_stages() =>
        Assert.Contains("layers   embedding and loss as layers: 7 | 8 x 14 | 7 layers per stage",
            Run("--account-for-embedding-in-pipeline-split", "--account-for-loss-in-pipeline-split").Out);

    [Fact]
    public void Counts_with_layers_per_virtual_stage_are_refused_as_megatron_does()
    {
        var r = Run("--decoder-first-pipeline-num-layers", "8", "--decoder-last-pipeline-num-layers", "6", "--num-layers-per-virtual-pipeline-stage", "2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--num-layers-per-virtual-pipeline-stage cannot be used with --decoder-first/last-pipeline-num-layers", r.Err);
    }

    [Fact]
    public void Bad_splits_name_megatrons_flags()
    {
        var r = Run("--decoder-first-pipeline-num-layers", "7", "--decoder-last-pipeline-num-layers", "7", "--num-virtual-stages-per-pipeline-rank", "2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: --decoder-first-pipeline-num-layers (7) must be divisible by vpp (2)", r.Err);
        Assert.Contains("--account-for-embedding-in-pipeline-split and --account-for-loss-in-pipeline-split", r.Err);
        var uneven = Run("--decoder-first-pipeline-num-layers", "7", "--decoder-last-pipeline-num-layers", "8");
        Assert.Equal(2, uneven.ExitCode);
        Assert.Contains("--decoder-first-pipeline-num-layers (7) and --decoder-last-pipeline-num-layers (8) leave 111 of 126 layers for 14 middle stages", uneven.Err);
        var both = Run("--decoder-first-pipeline-num-layers", "7", "--account-for-loss-in-pipeline-split");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("cannot be combined with the embedding or the loss counted as a layer", both.Err);
    }

    [Fact]
    public void Without_a_split_126_layers_on_16_stages_is_an_error_naming_the_megatron_way_out()
    {
        var r = Run();
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("layers (126) must be divisible by pp x vpp (16 x 1 = 16)", r.Err);
        Assert.Contains("--decoder-first-pipeline-num-layers 7 and --decoder-last-pipeline-num-layers 7", r.Err);
    }
}
