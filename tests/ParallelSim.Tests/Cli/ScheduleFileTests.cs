using System.Text.Json;
using ParallelSim.Readers;
using ParallelSim.Schedules;
using ParallelSim.Schedules.Generators;

namespace ParallelSim.Tests.Cli;

/// <summary>User-provided schedules: `--schedule-file FILE.csv` on simulate and compare-schedules.</summary>
public class ScheduleFileTests
{
    private static readonly string[] Small = ["--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--cluster", "dgx-a100"];

    private static string Shipped(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ParallelSim.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "configs", "schedules", file);
    }

    private static string[] Actions(PipelineSchedule s) => s.PerRank.Select(r => string.Join(",", r)).ToArray();

    public static TheoryData<string, string> ShippedSchedules => new()
    {
        { "1f1b-p4-m8.csv", ScheduleCsv.Write(OneFOneB.Build(4, 8)) },
        { "zb-h1-p4-m8.csv", ScheduleCsv.Write(ZeroBubbleH1.Build(4, 8)) },
        { "dualpipev-p4-m8.csv", ScheduleCsv.Write(DualPipeV.Build(4, 8)) },
    };

    [Theory, MemberData(nameof(ShippedSchedules))]
    public void Shipped_schedules_are_exactly_what_the_generators_write(string file, string generated)
    {
        string text = File.ReadAllText(Shipped(file)).Replace("\r", "");
        Assert.Equal(generated, text);
        var fromDisk = ScheduleFile.Load(Shipped(file)).Schedule;
        var byName = ScheduleFile.Load(Path.GetFileNameWithoutExtension(file)).Schedule;
        var expected = ScheduleCsv.Read(generated);
        Assert.Equal(Actions(expected), Actions(fromDisk));
        Assert.Equal(Actions(expected), Actions(byName));
        Assert.Equal((4, expected.Stages, 8), (fromDisk.Ranks, fromDisk.Stages, fromDisk.MicroBatches));
    }

    [Theory]
    [InlineData("1f1b-p4-m8", "1f1b")]
    [InlineData("zb-h1-p4-m8", "zb-h1")]
    [InlineData("dualpipev-p4-m8", "dualpipev")]
    public void Simulating_a_shipped_file_matches_the_generated_schedule(string file, string schedule)
    {
        var fromFile = CliRunner.Run(["simulate", .. Small, "--schedule-file", Shipped(file + ".csv"), "--format", "json"]);
        var generated = CliRunner.Run(["simulate", .. Small, "--schedule", schedule, "--global-batch", "8", "--format", "json"]);
        Assert.Equal("", fromFile.Err);
        Assert.Equal(0, fromFile.ExitCode);
        using var a = JsonDocument.Parse(fromFile.Out);
        using var b = JsonDocument.Parse(generated.Out);
        double Step(JsonDocument d) => d.RootElement.GetProperty("time").GetProperty("stepSeconds").GetDouble();
        double Peak(JsonDocument d) => d.RootElement.GetProperty("memory").GetProperty("peakBytes").GetDouble();
        Assert.Equal(Step(b), Step(a), 1e-12);
        Assert.Equal(Peak(b), Peak(a), 1e-3);
        Assert.Equal(8, a.RootElement.GetProperty("plan").GetProperty("microBatches").GetInt32());
        Assert.EndsWith(file + ".csv", a.RootElement.GetProperty("plan").GetProperty("scheduleFile").GetString());
    }

    [Fact]
    public void A_file_whose_stages_lie_in_a_V_runs_as_dualpipev_with_the_loss_on_rank_0()
    {
        var input = ScheduleFile.Load("dualpipev-p4-m8");
        Assert.True(input.VShaped);
        Assert.False(ScheduleFile.Load("1f1b-p4-m8").VShaped);
        Assert.False(ScheduleFile.IsV(Interleaved1F1B.Build(4, 8, 2)));
        var r = CliRunner.Run(["simulate", .. Small, "--schedule-file", "dualpipev-p4-m8", "--format", "json"]);
        Assert.Equal("", r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("dualpipev", doc.RootElement.GetProperty("plan").GetProperty("schedule").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("plan").GetProperty("vpp").GetInt32());
        Assert.Equal(0, doc.RootElement.GetProperty("memory").GetProperty("limitingStage").GetInt32());
    }

    [Fact]
    public void An_interleaved_file_runs_with_its_chunks_per_rank_as_vpp()
    {
        string path = Path.Combine(Path.GetTempPath(), $"psim-schedule-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, ScheduleCsv.Write(Interleaved1F1B.Build(4, 8, 2)));
            var fromFile = CliRunner.Run(["simulate", .. Small, "--schedule-file", path, "--format", "json"]);
            var generated = CliRunner.Run(["simulate", .. Small, "--schedule", "interleaved", "--vpp", "2", "--global-batch", "8", "--format", "json"]);
            Assert.Equal("", fromFile.Err);
            using var a = JsonDocument.Parse(fromFile.Out);
            using var b = JsonDocument.Parse(generated.Out);
            Assert.Equal(2, a.RootElement.GetProperty("plan").GetProperty("vpp").GetInt32());
            double Step(JsonDocument d) => d.RootElement.GetProperty("time").GetProperty("stepSeconds").GetDouble();
            Assert.Equal(Step(b), Step(a), 1e-12);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Compare_schedules_adds_a_row_for_the_file_at_its_micro_batch_count()
    {
        var r = CliRunner.Run(["compare-schedules", .. Small, "--schedule-file", "zb-h1-p4-m8", "--format", "json"]);
        Assert.Equal("", r.Err);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(x => x.GetProperty("schedule").GetString()!);
        Assert.Equal(["gpipe", "1f1b", "zb-h1", "zb-h2", "interleaved", "dualpipev", "zb-h1-p4-m8"], rows.Keys.ToArray());
        Assert.All(rows.Values, x => Assert.Equal(8, x.GetProperty("microBatches").GetInt32()));
        Assert.Equal(rows["zb-h1"].GetProperty("bubbleFraction").GetDouble(), rows["zb-h1-p4-m8"].GetProperty("bubbleFraction").GetDouble(), 12);
    }

    [Theory]
    // a missing backward: the validator's grid marks the rank and step
    [InlineData("0F0,0F1,0B0\n1F0,1B0,1F1,1B1\n", "is not a valid schedule: rank 0, step 3: missing backward 0B1", "(end)*")]
    // a duplicated forward
    [InlineData("0F0,0F0,0B0\n1F0,1B0\n", "duplicated forward 0F0", "<<")]
    // a backward before its forward
    [InlineData("0B0,0F0\n1F0,1B0\n", "backward 0B0 before its forward 0F0", "<<")]
    // W before its I
    [InlineData("0F0,0W0,0I0\n1F0,1I0,1W0\n", "weight backward 0W0 before its input backward 0I0", "<<")]
    // orders that wait on each other forever
    [InlineData("0F0,0B0,0F1,0B1\n1F1,1B1,1F0,1B0\n", "deadlocks", "<<")]
    [InlineData("0F0,0X1\n", "line 1: '0X1' is not a pipeline action", null)]
    [InlineData("# custom; stages=two\n0F0,0B0\n", "line 1: stages=two is not a whole number", null)]
    [InlineData("\n\n", "no actions", null)]
    // stage 1 on rank 0 and stage 0 on rank 1: not the placement the cost model assumes
    [InlineData("1F0,1B0\n0F0,0B0\n", "stage 0 runs on rank 1; the cost model places stage c·p + r on rank r", null)]
    public void A_bad_schedule_file_is_a_clean_error_with_exit_2(string csv, string expected, string? gridMark)
    {
        string path = Path.Combine(Path.GetTempPath(), $"psim-schedule-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllText(path, csv);
            var r = CliRunner.Run(["simulate", "--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "2", "--schedule-file", path]);
            Assert.Equal(2, r.ExitCode);
            Assert.StartsWith("error: --schedule-file ", r.Err);
            Assert.Contains(expected, r.Err);
            if (gridMark is not null) { Assert.Contains(gridMark, r.Err); Assert.Contains("rank 0  rank 1", r.Err); }
            Assert.DoesNotContain("   at ", r.Err);
            Assert.DoesNotContain("Exception", r.Err);
            Assert.Equal("", r.Out);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(new[] { "--pp", "8" }, "has 4 ranks: give --pp 4 (got 8)")]
    [InlineData(new[] { "--pp", "4", "--schedule", "zb-h1" }, "decides the schedule: leave out --schedule")]
    [InlineData(new[] { "--pp", "4", "--vpp", "2" }, "leave out --vpp")]
    [InlineData(new[] { "--pp", "4", "--global-batch", "16" }, "has 8 micro-batches, but --global-batch 16 gives 16")]
    public void A_file_that_does_not_fit_the_plan_says_what_to_change(string[] flags, string expected)
    {
        var r = CliRunner.Run(["simulate", "--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", .. flags, "--schedule-file", "1f1b-p4-m8"]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Err);
        Assert.Contains(expected, r.Err);
    }

    [Fact]
    public void A_missing_file_lists_the_shipped_schedules()
    {
        var r = CliRunner.Run("simulate", "--schedule-file", "/nonexistent/schedule.csv");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("error: --schedule-file '/nonexistent/schedule.csv': no such file (shipped schedules: 1f1b-p4-m8, dualpipev-p4-m8, zb-h1-p4-m8)", r.Err.TrimEnd());
    }
}
