using System.Text.Json;

namespace ParallelSim.Tests.Cli;

public class CompareSchedulesCommandTests
{
    private static readonly string[] Small = ["--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--cluster", "dgx-a100"];

    [Fact]
    public void Json_lists_every_schedule_at_every_micro_batch_count()
    {
        var r = CliRunner.Run(["compare-schedules", .. Small, "--micro-batches", "4,8,16", "--format", "json"]);
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToArray();
        Assert.Equal(18, rows.Length);
        double Bubble(string s, int m) => rows.Single(x => x.GetProperty("schedule").GetString() == s && x.GetProperty("microBatches").GetInt32() == m)
            .GetProperty("bubbleFraction").GetDouble();
        // more micro-batches shrink the bubble; interleaving shrinks it further
        Assert.True(Bubble("1f1b", 16) < Bubble("1f1b", 4));
        Assert.True(Bubble("interleaved", 16) < Bubble("1f1b", 16));
        // ZB-H1 fills the drain with weight passes: a smaller bubble than 1F1B at every m (arXiv:2401.10241 Table 2)
        foreach (int m in new[] { 4, 8, 16 }) Assert.True(Bubble("zb-h1", m) < Bubble("1f1b", m), $"m={m}");
        // ZB-H2 fills 2(p - 1) of it once m >= 2p - 1 (Table 2: (p - 1)(T_F + T_B - 2T_W)): smaller again
        foreach (int m in new[] { 8, 16 }) Assert.True(Bubble("zb-h2", m) < Bubble("zb-h1", m), $"m={m}");
        var interleaved = rows.First(x => x.GetProperty("schedule").GetString() == "interleaved");
        Assert.Equal(2, interleaved.GetProperty("vpp").GetInt32());
        // DualPipeV: two chunks per rank, and m >= 2p, so m = 4 (pp 4) is skipped with the reason
        var dualPipeV = rows.Where(x => x.GetProperty("schedule").GetString() == "dualpipev").ToArray();
        Assert.All(dualPipeV, x => Assert.Equal(2, x.GetProperty("vpp").GetInt32()));
        Assert.Equal("m (4) below 2 x pp (8)", dualPipeV[0].GetProperty("skipped").GetString());
        // its V halves ZB-H1's bubble here (half-size chunks on the turn) at m = 8 and 16
        foreach (int m in new[] { 8, 16 }) Assert.True(Bubble("dualpipev", m) < Bubble("zb-h1", m), $"m={m}");
        Assert.Equal(4, rows[0].GetProperty("stages").GetArrayLength());
    }

    [Fact]
    public void Gpipe_holds_more_activations_than_1f1b_at_many_micro_batches()
    {
        var r = CliRunner.Run(["compare-schedules", .. Small, "--micro-batches", "32", "--format", "json"]);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(x => x.GetProperty("schedule").GetString()!);
        Assert.Equal(32.0, rows["gpipe"].GetProperty("stages")[0].GetProperty("microBatchesInFlight").GetDouble(), 9);
        Assert.Equal(4.0, rows["1f1b"].GetProperty("stages")[0].GetProperty("microBatchesInFlight").GetDouble(), 9);
        Assert.Equal(4.0, rows["zb-h1"].GetProperty("stages")[0].GetProperty("microBatchesInFlight").GetDouble(), 9);
        Assert.Equal(rows["1f1b"].GetProperty("peakBytes").GetDouble(), rows["zb-h1"].GetProperty("peakBytes").GetDouble(), 1e-6);
        // arXiv:2401.10241 Table 2: ZB-H2 holds 2p - 1 on the first stage, and so more at the peak
        Assert.Equal(7.0, rows["zb-h2"].GetProperty("stages")[0].GetProperty("microBatchesInFlight").GetDouble(), 9);
        Assert.Equal(1.0, rows["zb-h2"].GetProperty("stages")[3].GetProperty("microBatchesInFlight").GetDouble(), 9);
        Assert.True(rows["zb-h2"].GetProperty("peakBytes").GetDouble() > rows["zb-h1"].GetProperty("peakBytes").GetDouble());
        Assert.True(rows["gpipe"].GetProperty("peakBytes").GetDouble() > rows["1f1b"].GetProperty("peakBytes").GetDouble());
    }

    [Theory]
    [InlineData("table", "schedule")]
    [InlineData("markdown", "| schedule |")]
    [InlineData("csv", "schedule,vpp,m,global_batch,step_ms")]
    public void Every_text_format_renders(string format, string expected)
    {
        var r = CliRunner.Run(["compare-schedules", .. Small, "--micro-batches", "8", "--format", format]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(expected, r.Out);
        Assert.Contains("interleaved", r.Out);
        Assert.Contains("zb-h1", r.Out);
        Assert.Contains("zb-h2", r.Out);
    }

    [Fact]
    public void A_count_that_interleaving_cannot_run_is_marked_skipped()
    {
        var r = CliRunner.Run(["compare-schedules", .. Small, "--micro-batches", "6", "--format", "csv"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("skipped: m (6) not a multiple of pp (4)", r.Out);
    }

    [Theory]
    [InlineData("8,x")]
    [InlineData("0")]
    [InlineData("")]
    [InlineData("-4")]
    public void Bad_micro_batch_lists_exit_2(string value)
    {
        var r = CliRunner.Run(["compare-schedules", .. Small, "--micro-batches", value]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Err);
    }

    [Fact]
    public void Trace_files_hold_one_process_per_run()
    {
        var path = Path.Combine(Path.GetTempPath(), $"psim-trace-{Guid.NewGuid():N}.json");
        try
        {
            var r = CliRunner.Run(["compare-schedules", .. Small, "--micro-batches", "4,8", "--trace", path]);
            Assert.Equal(0, r.ExitCode);
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var processes = doc.RootElement.GetProperty("traceEvents").EnumerateArray()
                .Where(e => e.GetProperty("name").GetString() == "process_name").Select(e => e.GetProperty("args").GetProperty("name").GetString()!).ToArray();
            Assert.Equal(["gpipe vpp=1 m=4", "gpipe vpp=1 m=8", "1f1b vpp=1 m=4", "1f1b vpp=1 m=8", "zb-h1 vpp=1 m=4", "zb-h1 vpp=1 m=8", "zb-h2 vpp=1 m=4", "zb-h2 vpp=1 m=8", "interleaved vpp=2 m=4", "interleaved vpp=2 m=8", "dualpipev vpp=2 m=8"], processes);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Simulate_writes_a_trace_and_an_unwritable_path_is_a_clear_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"psim-trace-{Guid.NewGuid():N}.json");
        try
        {
            var r = CliRunner.Run(["simulate", .. Small, "--global-batch", "16", "--trace", path]);
            Assert.Equal(0, r.ExitCode);
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            Assert.Equal(4 * 16 * 2, doc.RootElement.GetProperty("traceEvents").EnumerateArray().Count(e => e.GetProperty("ph").GetString() == "X"));
        }
        finally { File.Delete(path); }
        var bad = CliRunner.Run(["simulate", .. Small, "--trace", "/nonexistent-dir/x.json"]);
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("error: --trace: cannot write", bad.Err);
    }

    [Fact]
    public void Bench_times_a_small_interleaved_schedule()
    {
        var r = CliRunner.Run("bench", "simulator", "--pp", "4", "--micro-batches", "8", "--vpp", "2", "--runs", "2");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("128 actions", r.Out);
        Assert.Contains("simulate", r.Out);
        Assert.Equal(2, CliRunner.Run("bench", "--pp", "3", "--micro-batches", "8").ExitCode);
    }
}
