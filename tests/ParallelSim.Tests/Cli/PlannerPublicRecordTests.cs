using System.Globalization;
using System.Text.Json;
using ParallelSim.Readers;

namespace ParallelSim.Tests.Cli;

/// <summary>
/// The shipped planner specs against the public record (configs/checks/planner-public-record.json): the sweep's best plan
/// predicts no more than the best published A100 MFU of its model class plus the stated margin, and the report names the
/// assumptions its ranking rests on. Nothing is fitted to these numbers.
/// </summary>
public class PlannerPublicRecordTests
{
    private static JsonDocument Record() =>
        JsonDocument.Parse(Catalog.EmbeddedFiles("checks").Single(f => f.Path.EndsWith("planner-public-record.json", StringComparison.Ordinal)).Text);

    public static TheoryData<string> Specs()
    {
        using var doc = Record();
        var data = new TheoryData<string>();
        foreach (var s in doc.RootElement.GetProperty("specs").EnumerateArray()) data.Add(s.GetProperty("spec").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void The_best_plan_stays_within_the_published_record(string spec)
    {
        using var doc = Record();
        var entry = doc.RootElement.GetProperty("specs").EnumerateArray().Single(s => s.GetProperty("spec").GetString() == spec);
        double limit = entry.GetProperty("bestPublishedMfu").GetDouble() + doc.RootElement.GetProperty("marginPoints").GetDouble() / 100;

        var r = CliRunner.Run("sweep", "--spec", spec, "--top", "1");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Out.Split('\n');
        int header = Array.FindIndex(lines, l => l.TrimStart().StartsWith("#   gpus", StringComparison.Ordinal));
        var best = lines[header + 2];
        // the first percentage of the row is its MFU (the bubble comes later)
        var mfuCell = best.Split(' ', StringSplitOptions.RemoveEmptyEntries).First(c => c.EndsWith('%'));
        double mfu = double.Parse(mfuCell.TrimEnd('%'), CultureInfo.InvariantCulture) / 100;
        Assert.InRange(mfu, 0.2, limit);
        Assert.Contains("The winner's time rests on these modelling assumptions", r.Out);
    }
}
