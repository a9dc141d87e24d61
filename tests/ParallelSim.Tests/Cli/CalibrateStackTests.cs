using System.Text.Json;

namespace ParallelSim.Tests.Cli;

/// <summary>`calibrate stack`: a stack's factors fitted to published runs, written as a profile that --stack reads.</summary>
public class CalibrateStackTests
{
    private const string Header = ValidateRunsTests.Columns + ",framework,attention,precision,overlap,dropout,tflops_convention\n";

    // rows of llm-foundry's "A100 80GB" benchmark table (mosaicml/llm-foundry scripts/train/benchmarking/README.md @ 8c8dd48f7216):
    // MPT models under FSDP FULL_SHARD on one 8-GPU node with the Triton attention kernel, MFU and model TFLOP/s as published. The
    // shipped stack runs that kernel at the FlashAttention-2 paper's Triton bars, slower than these runs: long sequences show it
    private static string Row(string model, int layers, int hidden, int heads, int seq, int micro, int global, string recompute, double tflops, double mfu) =>
        FormattableString.Invariant(
            $"llm-foundry A100 80GB,{model},,{layers},{hidden},{heads},{4 * hidden},50368,{seq},A100-SXM-80GB,8,1,1,8,1,,{micro},{global},{recompute},no,3,{tflops},{mfu},,,,,fsdp,flash-triton,bf16,yes,no,model\n");

    // three runs spanning the sequence lengths (the attention factor is pinned only by long ones)
    private static readonly string Train = Header +
        Row("MPT-30b", 48, 7168, 56, 2048, 3, 504, "full", 172, 0.5530) +
        Row("MPT-13b", 40, 5120, 40, 32768, 1, 24, "full", 161, 0.5169) +
        Row("MPT-1b", 24, 2048, 16, 8192, 3, 96, "none", 176, 0.5669);

    private static readonly string HeldOut = Header +
        Row("MPT-7b", 32, 4096, 32, 65536, 1, 16, "full", 146, 0.4697) +
        Row("MPT-3b", 32, 2560, 20, 16384, 1, 48, "none", 178, 0.5713) +
        Row("MPT-760m", 24, 1536, 12, 4096, 12, 192, "none", 174, 0.5605);

    private static double Mape(string runs, params string[] more)
    {
        var r = CliRunner.Run(["validate", "--runs", runs, "--format", "json", .. more]);
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        return doc.RootElement.GetProperty("suites")[0].GetProperty("mapePct").GetDouble();
    }

    [Fact]
    public void Calibrating_on_three_rows_lowers_the_error_of_the_other_three()
    {
        string train = ValidateRunsTests.TempFile("train.csv", Train), rest = ValidateRunsTests.TempFile("rest.csv", HeldOut);
        string profile = Path.Combine(Path.GetDirectoryName(train)!, "fsdp-h100.json");
        var r = CliRunner.Run("calibrate", "stack", "--runs", train, "--out", profile);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("gemmDerate", r.Out);
        Assert.Contains("nicEfficiency kept", r.Out); // one node: no traffic crosses a NIC
        Assert.Contains("leave-one-run-out", r.Out);
        Assert.Contains($"Wrote {profile}", r.Out);

        double before = Mape(rest), after = Mape(rest, "--stack", profile);
        Assert.True(after < before, $"held-out MAPE {after:F2}% after, {before:F2}% before");
    }

    [Fact]
    public void The_profile_records_its_fit_and_round_trips_through_simulate_and_validate()
    {
        string train = ValidateRunsTests.TempFile("train.csv", Train);
        string profile = Path.Combine(Path.GetDirectoryName(train)!, "p.json");
        var r = CliRunner.Run("calibrate", "stack", "--runs", train, "--out", profile, "--free", "gemm,attention", "--name", "fsdp-mine", "--format", "json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var fit = JsonDocument.Parse(r.Out);
        using var written = JsonDocument.Parse(File.ReadAllText(profile));
        var root = written.RootElement;
        Assert.Equal("fsdp-mine", root.GetProperty("name").GetString());
        Assert.Equal("fsdp", root.GetProperty("framework").GetString());
        double gemm = fit.RootElement.GetProperty("factors").GetProperty("gemmDerate").GetDouble();
        Assert.Equal(gemm, root.GetProperty("gemmDerate").GetDouble());
        var record = root.GetProperty("fitted");
        Assert.Equal("train.csv", record.GetProperty("runs").GetString());
        Assert.Equal(6, record.GetProperty("cases").GetInt32());
        Assert.Equal(gemm, record.GetProperty("factors").GetProperty("gemmDerate").GetDouble());
        Assert.True(record.GetProperty("looMapePct").GetDouble() >= record.GetProperty("mapePct").GetDouble());

        // validate on the profile predicts what the fit reported
        var v = CliRunner.Run("validate", "--runs", train, "--stack", profile, "--format", "json");
        using var vd = JsonDocument.Parse(v.Out);
        var predicted = vd.RootElement.GetProperty("suites")[0].GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("predicted").GetDouble()).ToArray();
        var fitted = fit.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("fitted").GetDouble()).ToArray();
        Assert.Equal(fitted.Length, predicted.Length);
        for (int i = 0; i < fitted.Length; i++) Assert.Equal(fitted[i], predicted[i], 12);

        // simulate reads it like a catalog stack; slower kernels than the stack as shipped
        string[] plan = ["--model", "gpt3-1.3b", "--gpu", "h100-sxm-80gb", "--gpus", "8", "--tp", "1", "--pp", "1", "--zero", "3", "--global-batch", "64", "--format", "json"];
        var mine = CliRunner.Run(["simulate", "--stack", profile, .. plan]);
        var shipped = CliRunner.Run(["simulate", "--stack", "pytorch-fsdp-2023", .. plan]);
        Assert.True(mine.ExitCode == 0, mine.Err);
        Assert.NotEqual(Mfu(shipped.Out), Mfu(mine.Out));
    }

    private static double Mfu(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("throughput").GetProperty("mfu").GetDouble();
    }

    [Fact]
    public void A_profile_whose_factor_was_edited_after_its_fit_is_refused()
    {
        string train = ValidateRunsTests.TempFile("train.csv", Train);
        string profile = Path.Combine(Path.GetDirectoryName(train)!, "p.json");
        Assert.Equal(0, CliRunner.Run("calibrate", "stack", "--runs", train, "--out", profile, "--free", "gemm").ExitCode);
        var text = File.ReadAllText(profile);
        using (var doc = JsonDocument.Parse(text))
        {
            string g = doc.RootElement.GetProperty("gemmDerate").GetRawText();
            File.WriteAllText(profile, text.Replace($"\"gemmDerate\": {g},\n  \"attentionDerate\"", "\"gemmDerate\": 0.5,\n  \"attentionDerate\"")
                .Replace("\"runs\": \"train.csv\"", "\"runs\": \"train.csv\", \"extra\": 1"));
        }
        var r = CliRunner.Run("validate", "--runs", train, "--stack", profile);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("factors.gemmDerate", r.Err);
        Assert.Contains("unknown key \"extra\"", r.Err);
    }

    [Fact]
    public void Missing_out_and_one_row_exit_2_naming_the_problem()
    {
        string one = ValidateRunsTests.TempFile("one.csv", Header + Row("MPT-1b", 24, 2048, 16, 2048, 14, 112, "none", 413, 0.4182));
        var noOut = CliRunner.Run("calibrate", "stack", "--runs", one, "--free", "gemm,speed");
        Assert.Equal(2, noOut.ExitCode);
        Assert.Contains("--out PROFILE.json is required", noOut.Err);
        Assert.Contains("--free 'speed' is not a factor", noOut.Err); // every problem at once

        var oneRow = CliRunner.Run("calibrate", "stack", "--runs", one, "--out", Path.Combine(Path.GetDirectoryName(one)!, "p.json"));
        Assert.Equal(2, oneRow.ExitCode);
        Assert.Contains("1 usable run (2 cases", oneRow.Err);
        Assert.Contains("at least 2 runs", oneRow.Err);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(one)!, "p.json")));
    }

    [Fact]
    public void Numbers_are_printed_and_written_in_the_invariant_culture_under_a_comma_decimal_one()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
        try
        {
            string train = ValidateRunsTests.TempFile("train.csv", Train);
            string profile = Path.Combine(Path.GetDirectoryName(train)!, "p.json");
            var r = CliRunner.Run("calibrate", "stack", "--runs", train, "--out", profile);
            Assert.True(r.ExitCode == 0, r.Err);
            Assert.Matches(@"gemmDerate \d\.\d{4}", r.Out);
            Assert.Matches(@"MAPE: \d+\.\d\d% on the stack as shipped", r.Out);
            Assert.Matches("\"gemmDerate\": \\d\\.\\d+,", File.ReadAllText(profile));
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void A_factor_named_in_free_that_moves_no_case_is_refused()
    {
        var r = CliRunner.Run("calibrate", "stack", "--runs", ValidateRunsTests.TempFile("train.csv", Train), "--out",
            Path.Combine(Path.GetTempPath(), $"psim-{Guid.NewGuid():N}.json"), "--free", "gemm,nic");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--free nic: no case of train.csv depends on it", r.Err);
    }
}
