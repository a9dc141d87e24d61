using System.Text.Json;
using ParallelSim.Readers;
using ParallelSim.Core.Validation;

namespace ParallelSim.Tests.Cli;

/// <summary>In-sample and out-of-sample labels: every embedded suite states what was fitted to it; user files may.</summary>
public class ValidateSampleLabelTests
{
    [Theory]
    [InlineData("zero-2020-table1", SampleLabel.OutOfSample)]
    [InlineData("korthikanti-2022-table5", SampleLabel.InSample)]
    [InlineData("korthikanti-2022-figure1", SampleLabel.InSample)]
    [InlineData("megatron-readme-h100", SampleLabel.InSample)]
    [InlineData("narayanan-2021-table1", SampleLabel.OutOfSample)]
    [InlineData("zero-bubble-2024-table4", SampleLabel.InSample)]
    [InlineData("h200-train-iteration", SampleLabel.InSample)]
    [InlineData("h200-train-peak", SampleLabel.InSample)]
    [InlineData("h200-train-static", SampleLabel.InSample)]
    public void Every_embedded_suite_says_whether_it_is_in_sample_and_what_was_fitted_to_it(string suite, SampleLabel label)
    {
        var s = ReferenceReader.Embedded(Catalog.Default).Single(x => x.Name == suite);
        Assert.Equal(label, s.Sample);
        Assert.True(s.FittedTo.Length > 20, s.FittedTo);
        if (label == SampleLabel.OutOfSample) Assert.StartsWith("nothing", s.FittedTo);
    }

    [Fact]
    public void No_embedded_suite_is_unlabelled() =>
        Assert.DoesNotContain(ReferenceReader.Embedded(Catalog.Default), s => s.Sample == SampleLabel.Unlabelled);

    [Fact]
    public void Validate_prints_the_sample_column_and_the_MAPE_of_each_label_with_its_counts()
    {
        var r = CliRunner.Run("validate", "--suite", "narayanan");
        Assert.Contains("MAPE limit  ok   sample  source", r.Out);
        Assert.Contains("out of sample:  MAPE 3.44% over 10 cases of 1 suite (10 of time, throughput or MFU; 0 of memory)", r.Out);
        Assert.DoesNotContain("in sample:", r.Out);

        using var doc = JsonDocument.Parse(CliRunner.Run("validate", "--format", "json", "--suite", "korthikanti").Out);
        var samples = doc.RootElement.GetProperty("samples").EnumerateArray().ToArray();
        Assert.Equal("in", samples.Single().GetProperty("sample").GetString());
        Assert.Equal(20, samples.Single().GetProperty("cases").GetInt32());
        Assert.Equal(8, samples.Single().GetProperty("timeCases").GetInt32());
        var suite = doc.RootElement.GetProperty("suites")[0];
        Assert.Equal("in", suite.GetProperty("sample").GetString());
        Assert.Contains("bars", suite.GetProperty("fittedTo").GetString());

        var csv = CliRunner.Run("validate", "--format", "csv", "--suite", "zero-2020").Out.Split('\n');
        Assert.EndsWith(",ok,sample", csv[0]);
        Assert.EndsWith(",out", csv[1]);
    }

    private const string Header = ValidateRunsTests.Columns + ",sample\n";

    private static string Row(string source, string sample) =>
        $"{source},GPT 1.3B,1.3,24,2048,16,,50304,2048,H100-SXM-80GB,8,1,1,8,,,2,64,none,,,,0.45,,,,,{sample}\n";

    private static JsonElement[] Suites(string csv, out int exit)
    {
        var r = CliRunner.Run("validate", "--runs", ValidateRunsTests.TempFile("runs.csv", csv), "--format", "json");
        exit = r.ExitCode;
        return exit == 2 ? [] : JsonDocument.Parse(r.Out).RootElement.GetProperty("suites").EnumerateArray().ToArray();
    }

    [Fact]
    public void A_runs_suite_takes_its_rows_label_when_they_agree_and_is_unlabelled_otherwise()
    {
        var suites = Suites(Header + Row("Lab A", "out") + Row("Lab A", "out") + Row("Lab B", "in") + Row("Lab B", "") + Row("Lab C", ""), out int exit);
        Assert.Equal(0, exit);
        Assert.Equal(["out", "unlabelled", "unlabelled"], suites.Select(s => s.GetProperty("sample").GetString()!).ToArray());
        Assert.StartsWith("nothing", suites[0].GetProperty("fittedTo").GetString());
        Assert.Contains("disagrees", suites[1].GetProperty("fittedTo").GetString());

        var bad = CliRunner.Run("validate", "--runs", ValidateRunsTests.TempFile("runs.csv", Header + Row("Lab A", "maybe")));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("runs.csv line 2: sample \"maybe\" is not valid (valid: in, out, or empty)", bad.Err);
    }

    [Fact]
    public void A_suite_file_may_carry_a_label_and_an_in_sample_one_must_say_what_was_fitted()
    {
        var text = Catalog.EmbeddedFiles("reference").Single(f => f.Path.EndsWith("korthikanti-2022-table5.json", StringComparison.Ordinal)).Text;
        int at = text.IndexOf("  \"fittedTo\"", StringComparison.Ordinal), end = text.IndexOf('\n', at);
        var noFitted = text.Remove(at, end - at + 1);
        var r = CliRunner.Run("validate", "--file", ValidateRunsTests.TempFile("mine.json", noFitted));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("\"sample\" is \"in\": say in \"fittedTo\" what was fitted", r.Err);

        var unlabelled = noFitted.Replace("  \"sample\": \"in\",\n", "");
        using var doc = JsonDocument.Parse(CliRunner.Run("validate", "--file", ValidateRunsTests.TempFile("mine.json", unlabelled), "--format", "json").Out);
        Assert.Equal("unlabelled", doc.RootElement.GetProperty("suites")[0].GetProperty("sample").GetString());
    }
}
