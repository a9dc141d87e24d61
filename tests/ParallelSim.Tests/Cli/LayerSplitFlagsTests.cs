using System.Text.Json;

namespace ParallelSim.Tests.Cli;

/// <summary>--first-stage-layers, --last-stage-layers, --embedding-as-layer and --loss-as-layer on simulate, compare-schedules and explain.</summary>
public class LayerSplitFlagsTests
{
    /// <summary>Llama 3 405B on one replica (128 H100s): tp 8, pp 16, 16 micro-batches.</summary>
    private static readonly string[] Llama = ["--model", "llama3-405b", "--gpu", "h100-sxm-80gb", "--gpus", "128", "--tp", "8", "--pp", "16",
        "--global-batch", "16", "--zero", "1"];

    [Fact]
    public void Simulate_places_seven_layers_on_the_end_stages_of_llama_3_405b()
    {
        var r = CliRunner.Run(["simulate", .. Llama, "--first-stage-layers", "7", "--last-stage-layers", "7"]);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("layers   first 7, last 7: 7 | 8 x 14 | 7 layers per stage", r.Out);
        // the memory table: the rows after its header and rule, up to the blank line
        var lines = r.Out.Split('\n');
        int header = Array.FindIndex(lines, l => l.StartsWith("stage  layers", StringComparison.Ordinal));
        var rows = lines.Skip(header + 2).TakeWhile(l => l.Length > 0).ToArray();
        Assert.Equal(16, rows.Length);
        Assert.Equal(new[] { "7" }.Concat(Enumerable.Repeat("8", 14)).Append("7"),
            rows.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]));
    }

    [Fact]
    public void Json_carries_the_split_and_the_layers_of_every_virtual_stage()
    {
        var r = CliRunner.Run(["simulate", .. Llama, "--embedding-as-layer", "true", "--loss-as-layer", "true", "--schedule", "interleaved", "--vpp", "2",
            "--format", "json"]);
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var split = doc.RootElement.GetProperty("plan").GetProperty("layerSplit");
        Assert.True(split.GetProperty("embeddingAsLayer").GetBoolean());
        Assert.Equal(JsonValueKind.Null, split.GetProperty("firstStageLayers").ValueKind);
        var chunks = split.GetProperty("virtualStageLayers").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(32, chunks.Length);
        Assert.Equal(3, chunks[0]);   // chunk 0 of rank 0: the embedding counts as its fourth layer
        Assert.Equal(3, chunks[31]);  // chunk 1 of rank 15: the loss
        Assert.Equal(126, chunks.Sum());
        var stages = doc.RootElement.GetProperty("memory").GetProperty("stages");
        Assert.Equal(7, stages[0].GetProperty("layers").GetInt32());
        Assert.Equal(8, stages[1].GetProperty("layers").GetInt32());
        // without flags the plan has no split
        var even = CliRunner.Run("simulate", "--format", "json");
        using var e = JsonDocument.Parse(even.Out);
        Assert.Equal(JsonValueKind.Null, e.RootElement.GetProperty("plan").GetProperty("layerSplit").ValueKind);
    }

    [Fact]
    public void Without_a_split_126_layers_on_16_stages_is_refused_with_the_way_out()
    {
        var r = CliRunner.Run(["simulate", .. Llama]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: layers (126) must be divisible by pp x vpp (16 x 1 = 16), or split unevenly", r.Err);
        Assert.Contains("first-stage-layers 7 and last-stage-layers 7", r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void Bad_split_flags_are_all_reported_with_exit_2()
    {
        var r = CliRunner.Run(["simulate", .. Llama, "--first-stage-layers", "-1", "--last-stage-layers", "7", "--embedding-as-layer", "maybe",
            "--micro-batch", "3"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("first-stage-layers must be at least 1 (got -1)", r.Err);
        Assert.Contains("--embedding-as-layer 'maybe' is not valid (valid: true, false; or yes, no)", r.Err);
        Assert.Contains("global-batch (16) must be divisible by micro-batch x dp (3 x 1 = 3)", r.Err);
        Assert.DoesNotContain("Exception", r.Err);
    }

    [Theory]
    [InlineData("7", "8", "leave 111 of 126 layers for 14 middle stages: not a whole number of at least 1 per stage (valid with first-stage-layers 7: last-stage-layers 7, 21, 35, 49)")]
    [InlineData("7", "7", "first-stage-layers (7) must be divisible by vpp (2)", "--schedule", "interleaved", "--vpp", "2")]
    public void A_split_that_does_not_fit_says_why_and_what_would(string first, string last, string message, params string[] more)
    {
        var r = CliRunner.Run(["simulate", .. Llama, "--first-stage-layers", first, "--last-stage-layers", last, .. more]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void Counts_need_a_pipeline()
    {
        var r = CliRunner.Run("simulate", "--model", "llama3-405b", "--gpu", "h100-sxm-80gb", "--gpus", "8", "--tp", "8", "--pp", "1",
            "--global-batch", "16", "--first-stage-layers", "63", "--last-stage-layers", "63");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("first-stage-layers and last-stage-layers need pp of at least 2 (got pp 1)", r.Err);
    }

    [Fact]
    public void Counts_and_accounting_together_are_refused() =>
        Assert.Contains("cannot be combined with the embedding or the loss counted as a layer",
            CliRunner.Run(["simulate", .. Llama, "--first-stage-layers", "7", "--last-stage-layers", "7", "--loss-as-layer", "true"]).Err);

    [Fact]
    public void Compare_schedules_runs_every_schedule_on_the_split_and_says_why_interleaved_cannot()
    {
        var r = CliRunner.Run(["compare-schedules", .. Llama, "--first-stage-layers", "7", "--last-stage-layers", "7", "--format", "csv"]);
        Assert.True(r.ExitCode == 0, r.Err);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("1f1b,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("zb-h1,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("interleaved,", StringComparison.Ordinal) && l.Contains("first-stage-layers (7) must be divisible by vpp (2)"));
        // counting the embedding and the loss as layers gives interleaving its uneven chunks
        var acc = CliRunner.Run(["compare-schedules", .. Llama, "--embedding-as-layer", "true", "--loss-as-layer", "true", "--format", "csv"]);
        Assert.True(acc.ExitCode == 0, acc.Err);
        Assert.Contains(acc.Out.Split('\n'), l => l.StartsWith("interleaved,2,", StringComparison.Ordinal) && !l.Contains("skipped"));
    }

    [Fact]
    public void Explain_memory_takes_the_split_too()
    {
        var r = CliRunner.Run(["explain", "memory", .. Llama, "--first-stage-layers", "7", "--last-stage-layers", "7"]);
        Assert.True(r.ExitCode == 0, r.Err);
        // 1F1B: stage 1 (8 layers, 15 micro-batches) limits memory, not stage 0 (7 layers, 16)
        Assert.Contains("parameters on one GPU of stage 1 (8 of 126 layers", r.Out);
    }
}
