namespace ParallelSim.Tests.Cli;

public class SweepCommandTests
{
    // a small model given by flags, on a few GPU counts: fast enough for every test run
    private static readonly string[] Small = ["sweep", "--layers", "8", "--hidden", "512", "--heads", "8", "--seq-length", "256", "--global-batch", "16"];

    [Fact]
    public void The_same_sweep_twice_writes_byte_identical_csv()
    {
        string a = Path.GetTempFileName() + ".csv", b = Path.GetTempFileName() + ".csv";
        try
        {
            Assert.Equal(0, CliRunner.Run([.. Small, "--gpus", "8,16", "--out", a]).ExitCode);
            Assert.Equal(0, CliRunner.Run([.. Small, "--gpus", "8,16", "--out", b]).ExitCode);
            var bytes = File.ReadAllBytes(a);
            Assert.True(bytes.Length > 10_000);
            Assert.Equal(bytes, File.ReadAllBytes(b));
            var lines = File.ReadAllLines(a);
            Assert.StartsWith("gpus,tp,pp,dp,cp,vpp,micro_batch,micro_batches,schedule,zero,recompute,sequence_parallel,status,reason", lines[0]);
            Assert.Contains(lines, l => l.Contains(",ok,,1,", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains(",invalid,", StringComparison.Ordinal) && l.Contains("must be divisible", StringComparison.Ordinal));
        }
        finally { File.Delete(a); File.Delete(b); }
    }

    [Fact]
    public void Json_out_lists_every_plan_with_its_status()
    {
        string path = Path.GetTempFileName() + ".json";
        try
        {
            var r = CliRunner.Run([.. Small, "--gpus", "8", "--out", path]);
            Assert.Equal(0, r.ExitCode);
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            var statuses = doc.RootElement.EnumerateArray().Select(e => e.GetProperty("status").GetString()).ToHashSet();
            Assert.Superset(new HashSet<string?> { "ok", "invalid" }, statuses);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void The_report_ranks_and_explains_the_winner()
    {
        var r = CliRunner.Run([.. Small, "--gpus", "16", "--top", "5"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Err);
        Assert.Contains("Top 5 of", r.Out);
        Assert.Contains("Why tp", r.Out);
        Assert.Contains("The best of each family it is not in:", r.Out);
        Assert.Contains("where the extra time goes", r.Out);
        Assert.Contains("plans/s", r.Out);
    }

    [Fact]
    public void Several_gpu_counts_with_a_token_budget_show_the_pareto_front()
    {
        var r = CliRunner.Run([.. Small, "--gpus", "4,8,16", "--tokens", "1e9", "--price-per-gpu-hour", "2", "--objective", "cost"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Time to train 1B tokens by GPU count", r.Out);
        Assert.Contains("$/1M tok", r.Out);
    }

    [Fact]
    public void Bad_flags_are_all_reported_at_once_with_exit_code_2()
    {
        var r = CliRunner.Run("sweep", "--gpus", "0,x", "--tp", "2,y", "--zero", "4", "--schedule", "zb", "--objective", "speed", "--headroom", "150%", "--out", "plans.txt", "--format", "csv");
        Assert.Equal(2, r.ExitCode);
        foreach (var expected in new[] { "--gpus '0'", "--gpus 'x'", "--tp 'y'", "--zero '4' is not valid (valid: 0, 1, 2, 3)", "--schedule 'zb'",
                     "--objective 'speed'", "--headroom '150%'", "--out 'plans.txt'", "--format 'csv'" })
            Assert.Contains(expected, r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Cost_needs_a_price() =>
        Assert.Contains("--objective cost needs --price-per-gpu-hour", CliRunner.Run([.. Small, "--objective", "cost"]).Err);

    [Fact]
    public void A_shipped_spec_loads_by_name_and_flags_override_it()
    {
        // restrict the shipped GPT-3 sweep to keep the test fast; the model, cluster, GPUs and batch come from the spec
        var r = CliRunner.Run("sweep", "--spec", "gpt3-175b-1024-a100", "--zero", "1", "--recompute", "selective", "--sequence-parallel", "true",
            "--cp", "1", "--schedule", "1f1b,interleaved", "--micro-batch", "1,2", "--top", "5");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("gpt3-175b", r.Out);
        Assert.Contains("1,024 x A100-SXM-80GB", r.Out);
        Assert.Contains("global batch 1536", r.Out);
        Assert.Contains("TP inside a node: 5 of the top 5", r.Out);
    }

    [Fact]
    public void The_sweep_enumerates_zb_h1_and_zb_h2_as_schedules()
    {
        var r = CliRunner.Run("sweep", "--model", "gpt3-1.3b", "--gpus", "8", "--global-batch", "32", "--pp", "2", "--tp", "1",
            "--schedule", "1f1b,zb-h1,zb-h2", "--zero", "1", "--recompute", "selective", "--top", "50");
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(" zb-h1 ", r.Out);
        Assert.Contains(" zb-h2 ", r.Out);
        Assert.Contains(" 1f1b ", r.Out);
    }

    [Fact]
    public void A_spec_with_an_unknown_key_is_rejected_naming_it()
    {
        string path = Path.GetTempFileName() + ".json";
        try
        {
            File.WriteAllText(path, """{ "model": "gpt3-125m", "gpus": [8], "tensorParallel": [2] }""");
            var r = CliRunner.Run("sweep", "--spec", path);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("unknown key \"tensorParallel\"", r.Err);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Bench_sweep_reports_plans_screened_per_second()
    {
        var r = CliRunner.Run("bench-sweep", "--model", "gpt3-125m", "--gpus", "8", "--global-batch", "8", "--repeat", "2");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Sweep benchmark: gpt3-125m on 8 x A100-SXM-80GB", r.Out);
        Assert.Contains("plans screened/s", r.Out);
        Assert.Equal(2 + 3, r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // title, header, rule, one row per run
    }
}
