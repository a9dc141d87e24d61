using System.Text.Json;
using ParallelSim.Core.Units;
using ParallelSim.Schedules.Export;
using ParallelSim.Schedules.Generators;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Tests.Schedules;

public class ChromeTraceTests
{
    [Fact]
    public void A_4_stage_8_micro_batch_1F1B_trace_is_valid_json_with_one_track_per_rank()
    {
        var t = PipelineSimulator.Run(OneFOneB.Build(4, 8), StageDurations.Uniform(4, Seconds.FromMicroseconds(100), Seconds.FromMicroseconds(200)));
        using var doc = JsonDocument.Parse(ChromeTrace.Write(t, "1f1b"));
        var events = doc.RootElement.GetProperty("traceEvents").EnumerateArray().ToArray();
        var complete = events.Where(e => e.GetProperty("ph").GetString() == "X").ToArray();
        Assert.Equal(4 * 8 * 2, complete.Length);
        Assert.Equal([0, 1, 2, 3], complete.Select(e => e.GetProperty("tid").GetInt32()).Distinct().Order());
        var names = events.Where(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name")
            .Select(e => e.GetProperty("args").GetProperty("name").GetString()!).ToArray();
        Assert.Equal(["rank 0", "rank 1", "rank 2", "rank 3"], names);
        Assert.Contains(complete, e => e.GetProperty("name").GetString() == "F3 stage 1");
        Assert.Contains(complete, e => e.GetProperty("name").GetString() == "B7 stage 0");

        // microseconds: stage 1's forward of micro-batch 0 starts after stage 0's (100 us) and lasts 100 us
        var f0s1 = complete.Single(e => e.GetProperty("name").GetString() == "F0 stage 1");
        Assert.Equal(100.0, f0s1.GetProperty("ts").GetDouble(), 9);
        Assert.Equal(100.0, f0s1.GetProperty("dur").GetDouble(), 9);
        // the last event ends at the makespan (8 + 3) x 300 us
        Assert.Equal(3300.0, complete.Max(e => e.GetProperty("ts").GetDouble() + e.GetProperty("dur").GetDouble()), 6);
        // events on one track never overlap
        foreach (var track in complete.GroupBy(e => e.GetProperty("tid").GetInt32()))
        {
            var spans = track.Select(e => (S: e.GetProperty("ts").GetDouble(), E: e.GetProperty("ts").GetDouble() + e.GetProperty("dur").GetDouble())).OrderBy(x => x.S).ToArray();
            for (int i = 1; i < spans.Length; i++) Assert.True(spans[i].S >= spans[i - 1].E - 1e-9);
        }
    }
}
