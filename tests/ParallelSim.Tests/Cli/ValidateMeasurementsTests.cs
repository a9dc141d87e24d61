using System.Text.Json;
using ParallelSim.Cli.Commands;
using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using static ParallelSim.Tests.Cli.ValidateRunsTests;

namespace ParallelSim.Tests.Cli;

/// <summary>`validate --measurements FILE.jsonl` (single-GPU training runs) and `validate --file SUITE.json`.</summary>
public class ValidateMeasurementsTests
{
    private static string TrainLine(int n) =>
        Catalog.EmbeddedFiles("calibration/h200").Single(f => f.Path.EndsWith("/train.jsonl", StringComparison.Ordinal)).Text.Split('\n')[n - 1];

    // a llama-shaped row with every optional field, a longer sequence and measurement extras; no static_bytes
    private const string Llama =
        "{\"model\": \"llama-tiny\", \"arch\": \"llama\", \"layers\": 8, \"hidden\": 1024, \"heads\": 16, \"kv_heads\": 4, \"ffn_hidden\": 2816, " +
        "\"tied_embeddings\": false, \"vocab\": 32000, \"seq\": 4096, \"micro_batch\": 2, \"accum\": 3, \"recompute\": \"full\", " +
        "\"precision\": \"torch-amp-bf16\", \"iter_s\": 0.1, \"peak_bytes\": 9000000000, \"tokens_per_s\": 1, \"fwd_s\": 0.01}";

    private static JsonElement[] Suites(JsonDocument doc) => doc.RootElement.GetProperty("suites").EnumerateArray().ToArray();

    [Fact]
    public void Two_rows_give_four_suites_with_the_embedded_inputs_and_tolerances()
    {
        string path = TempFile("mine.jsonl", TrainLine(1) + "\n" + Llama + "\n");
        var r = CliRunner.Run("validate", "--measurements", path, "--format", "json");
        Assert.True(r.ExitCode is 0 or 1, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var suites = Suites(doc);
        Assert.Equal(["mine-iteration", "mine-peak", "mine-static", "mine-oom"], suites.Select(s => s.GetProperty("suite").GetString()!).ToArray());
        Assert.Equal(15, suites[0].GetProperty("mapeLimitPct").GetDouble());
        Assert.Equal([2, 2, 1, 2], suites.Select(s => s.GetProperty("cases").GetArrayLength()).ToArray());
        Assert.Equal("static_bytes not measured", suites[2].GetProperty("skipped")[0].GetProperty("reason").GetString());
        Assert.Equal(10, suites[1].GetProperty("cases")[0].GetProperty("tolerancePct").GetDouble());
        Assert.Equal(2, suites[2].GetProperty("cases")[0].GetProperty("tolerancePct").GetDouble());
        Assert.Equal("mine.jsonl line 1, iter_s", suites[0].GetProperty("cases")[0].GetProperty("locator").GetString());

        // the same row as the embedded h200 suites: the same predictions
        var embedded = ReferenceReader.Embedded(Catalog.Default);
        foreach (var (suite, i) in new[] { ("h200-train-iteration", 0), ("h200-train-peak", 1), ("h200-train-static", 2) })
        {
            var c = embedded.Single(s => s.Name == suite).Cases.Single(x => x.Name == "gpt-125m mb 1 recompute none");
            Assert.Equal(ReferenceEvaluation.Predict(c), suites[i].GetProperty("cases")[0].GetProperty("predicted").GetDouble());
        }

        // the optional fields are honoured: llama, 4 KV heads, FFN 2816, untied, seq 4096, 3 micro-batches of 2
        var model = new ModelSpec("llama-tiny", Architecture.Llama, 8, 1024, 16, 4, 2816, 32000, 4096, false, new Source("test"));
        var plan = new ParallelPlan(1, 1, 1, 1, 1, 2, 6, ZeroStage.None, RecomputeMode.Full, false, ScheduleKind.OneFOneB, PrecisionPolicy.TorchAmp, true);
        var expected = Evaluator.Evaluate(model, new ClusterSpec(Catalog.Default.Node("hgx-h200"), 1), plan,
            CostOptions.Default with { Dropout = false, IncludeRuntimeReserve = false });
        Assert.Equal(expected.Time.Step.Value, suites[0].GetProperty("cases")[1].GetProperty("predicted").GetDouble());
        Assert.Equal(expected.Memory.Peak.Value, suites[1].GetProperty("cases")[1].GetProperty("predicted").GetDouble());
    }

    [Fact]
    public void The_gpu_option_picks_the_gpu_of_rows_that_name_none()
    {
        string path = TempFile("mine.jsonl", TrainLine(1) + "\n");
        using var h200 = JsonDocument.Parse(CliRunner.Run("validate", "--measurements", path, "--format", "json").Out);
        using var h100 = JsonDocument.Parse(CliRunner.Run("validate", "--measurements", path, "--gpu", "H100", "--format", "json").Out);
        double Iter(JsonDocument d) => Suites(d)[0].GetProperty("cases")[0].GetProperty("predicted").GetDouble();
        Assert.NotEqual(Iter(h200), Iter(h100));
        var bad = CliRunner.Run("validate", "--measurements", path, "--gpu", "TPU v4");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--gpu: GPU 'TPU v4': TPUs are not modelled", bad.Err);
        var alone = CliRunner.Run("validate", "--gpu", "H100");
        Assert.Equal(2, alone.ExitCode);
        Assert.Contains("--gpu applies to --measurements files", alone.Err);
    }

    [Fact]
    public void Oom_rows_and_rows_the_model_does_not_cover_are_skipped_and_a_malformed_number_is_an_error()
    {
        string oom = "{\"model\": \"big\", \"layers\": 48, \"hidden\": 8192, \"heads\": 64, \"vocab\": 50304, \"micro_batch\": 8, \"accum\": 2, " +
                     "\"recompute\": \"none\", \"precision\": \"torch-amp-bf16\", \"oom\": true, \"iter_s\": null}";
        var ok = CliRunner.Run("validate", "--measurements", TempFile("m.jsonl", TrainLine(2) + "\n" + oom + "\n"));
        Assert.Contains("m.jsonl line 2  big mb 8 recompute none  oom: true (ran out of memory, nothing measured; checked in the out-of-memory verdicts)", ok.Out);
        // the verdicts: the row that ran fits, the 25B model without recomputation does not fit one H200
        using (var doc = JsonDocument.Parse(CliRunner.Run("validate", "--measurements", TempFile("m.jsonl", TrainLine(2) + "\n" + oom + "\n"), "--format", "json").Out))
        {
            var verdicts = Suites(doc).Single(x => x.GetProperty("suite").GetString() == "m-oom").GetProperty("cases").EnumerateArray().ToArray();
            Assert.Equal(2, verdicts.Length);
            Assert.All(verdicts, v => Assert.Equal(1, v.GetProperty("predicted").GetDouble()));
            Assert.Equal("OutOfMemoryAsMeasured", verdicts[1].GetProperty("metric").GetString());
        }

        // another precision or recompute mode is not malformed, only not modelled: the row is skipped, the others still run
        string other = TrainLine(3).Replace("torch-amp-bf16", "fp16").Replace("\"recompute\": \"none\"", "\"recompute\": \"partial\"");
        var skipped = CliRunner.Run("validate", "--measurements", TempFile("m.jsonl", other + "\n" + TrainLine(4) + "\n"));
        Assert.Equal(0, skipped.ExitCode);
        Assert.Contains("recompute \"partial\" is not modelled (valid: none, selective, full); precision \"fp16\" is not modelled for these measurements", skipped.Out);
        Assert.Contains("m-iteration      1        0        1", skipped.Out);

        var r = CliRunner.Run("validate", "--measurements", TempFile("m.jsonl", TrainLine(4).Replace("\"iter_s\": 0.", "\"iter_s\": -0.")));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("m.jsonl line 1: \"iter_s\" is -0.0829", r.Err);
    }

    [Fact]
    public void A_suite_file_runs_alone_through_the_same_reader_as_the_embedded_suites()
    {
        // a suite whose cases all pass (korthikanti-2022-table5 holds a known gap, ReferenceCaseTests.KnownGaps)
        var text = Catalog.EmbeddedFiles("reference").Single(f => f.Path.EndsWith("narayanan-2021-table1.json", StringComparison.Ordinal)).Text
            .Replace("\"suite\": \"narayanan-2021-table1\"", "\"suite\": \"my-suite\"");
        var r = CliRunner.Run("validate", "--file", TempFile("mine.json", text), "--format", "json");
        using var doc = JsonDocument.Parse(r.Out);
        var suite = Suites(doc).Single();
        Assert.Equal("my-suite", suite.GetProperty("suite").GetString());
        Assert.Equal(10, suite.GetProperty("cases").GetArrayLength());
        Assert.Equal(0, r.ExitCode);

        var broken = CliRunner.Run("validate", "--file", TempFile("mine.json", text.Replace("\"metric\": \"hardwareTflopsPerGpu\"", "\"metric\": \"speed\"")),
            "--file", "/no/such/suite.json");
        Assert.Equal(2, broken.ExitCode);
        Assert.Contains("metric \"speed\" is not known", broken.Err);
        Assert.Contains("input file: '/no/such/suite.json' does not exist", broken.Err);
    }
}
