using ParallelSim.Schedules;
using ParallelSim.Schedules.Generators;
using ParallelSim.Schedules.Passes;

namespace ParallelSim.Tests.Schedules;

public class PipelineActionTests
{
    [Theory]
    [InlineData("2F0", 2, ActionKind.Forward, 0)]
    [InlineData("3B5", 3, ActionKind.FullBackward, 5)]
    [InlineData("1I12", 1, ActionKind.BackwardInput, 12)]
    [InlineData("0W7", 0, ActionKind.BackwardWeight, 7)]
    [InlineData("4SEND_F3", 4, ActionKind.SendActivation, 3)]
    [InlineData("5RECV_B0", 5, ActionKind.RecvGradient, 0)]
    public void Actions_print_and_parse_as_compact_text(string text, int stage, ActionKind kind, int micro)
    {
        var a = PipelineAction.Parse(text);
        Assert.Equal(new PipelineAction(stage, kind, micro), a);
        Assert.Equal(text, a.ToString());
    }

    [Theory]
    [InlineData("F0")]
    [InlineData("2X0")]
    [InlineData("2F")]
    [InlineData("-1F0")]
    [InlineData("2 F 0 1")]
    public void Malformed_action_text_is_rejected_with_the_expected_form(string text)
    {
        var e = Assert.Throws<FormatException>(() => PipelineAction.Parse(text));
        Assert.Contains("e.g. 2F0", e.Message);
    }

    [Fact]
    public void Schedules_round_trip_through_csv_one_row_per_rank()
    {
        foreach (var s in new[] { GPipe.Build(3, 5), OneFOneB.Build(4, 8), Interleaved1F1B.Build(4, 8, 3), CommunicationPass.Apply(OneFOneB.Build(4, 8)) })
        {
            var csv = ScheduleCsv.Write(s);
            Assert.Equal(s.Ranks + 1, csv.TrimEnd('\n').Split('\n').Length);
            var back = ScheduleCsv.Read(csv);
            Assert.Equal((s.Name, s.Stages, s.MicroBatches, s.Ranks), (back.Name, back.Stages, back.MicroBatches, back.Ranks));
            for (int r = 0; r < s.Ranks; r++) Assert.Equal(s.PerRank[r], back.PerRank[r]);
        }
    }

    [Fact]
    public void Csv_row_for_rank_0_of_1f1b_reads_as_the_paper_draws_it()
    {
        // p = 4, m = 8, rank 3 (last): no warm-up, strict alternation
        var csv = ScheduleCsv.Write(OneFOneB.Build(4, 8)).Split('\n');
        Assert.StartsWith("0F0,0F1,0F2,0F3,0B0,0F4,0B1", csv[1]);
        Assert.StartsWith("3F0,3B0,3F1,3B1", csv[4]);
    }

    [Fact]
    public void A_bad_csv_cell_names_its_line()
    {
        var e = Assert.Throws<FormatException>(() => ScheduleCsv.Read("0F0,0B0\n1F0,1Q0\n"));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("1Q0", e.Message);
    }

    [Fact]
    public void Communication_pass_adds_sends_and_receives_only_across_ranks()
    {
        var s = CommunicationPass.Apply(Interleaved1F1B.Build(2, 2, 2));
        var rank0 = s.PerRank[0].Select(a => a.ToString()).ToArray();
        // stage 0 has no predecessor: its forward sends to stage 1 but receives nothing
        Assert.Equal(["0F0", "0SEND_F0"], rank0[..2]);
        Assert.Contains("2RECV_F0", rank0);
        Assert.DoesNotContain(s.PerRank.SelectMany(l => l), a => a.Kind == ActionKind.RecvActivation && a.Stage == 0);
        Assert.Null(ScheduleValidator.Validate(s));
    }
}
