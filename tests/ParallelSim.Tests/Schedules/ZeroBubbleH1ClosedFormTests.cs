using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Units;
using ParallelSim.Schedules;
using ParallelSim.Schedules.Generators;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Tests.Schedules;

/// <summary>
/// ZB-H1 as a first-class schedule: the event simulator runs it, and the zero-bubble paper's Table 2 is the
/// oracle (arXiv:2401.10241: 1F1B bubble (p - 1)(T_F + T_B + T_W), ZB-H1 (p - 1)(T_F + T_B - T_W), both with
/// peak activations p·M_B), as is ClosedFormPipeline, which the analytical path uses.
/// </summary>
public class ZeroBubbleH1ClosedFormTests
{
    // (T_F, T_B, T_W) with T_B the backward for inputs, as in the paper: its Table 1 ratio T_B + T_W = 2 T_F with
    // T_W < T_F < T_B, equal passes (its README's assumption), and a light weight pass
    public static TheoryData<double, double, double> Passes => new() { { 1.0, 1.2, 0.8 }, { 1.0, 1.0, 1.0 }, { 0.7, 0.9, 0.2 } };

    // outside the paper's T_W <= T_F, T_B: a weight pass longer than the forward or the input backward
    public static TheoryData<double, double, double> HeavyWeight => new() { { 1.0, 0.5, 1.5 }, { 1.0, 0.2, 0.8 }, { 0.5, 1.0, 2.0 }, { 0.6, 1.0, 0.9 } };

    private static void Close(string what, double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-9 * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}");

    private static TimelineSummary Simulate(ScheduleKind kind, int p, int m, double tf, double tb, double tw) =>
        TimelineSummary.Of(PipelineSimulator.Run(ScheduleGenerators.Build(kind, p, m, 1),
            StageDurations.Uniform(p, new Seconds(tf), new Seconds(tb + tw), weight: new Seconds(tw))));

    [Theory, MemberData(nameof(Passes))]
    public void Simulated_ZB_H1_and_1F1B_bubbles_are_the_papers_Table_2(double tf, double tb, double tw)
    {
        for (int p = 1; p <= 16; p++)
            for (int m = 1; m <= 64; m++)
            {
                double ideal = m * (tf + tb + tw);
                var zb = Simulate(ScheduleKind.ZeroBubbleH1, p, m, tf, tb, tw);
                var one = Simulate(ScheduleKind.OneFOneB, p, m, tf, tb, tw);
                // arXiv:2401.10241 Table 2: ZB-H1 bubble (p - 1)(T_F + T_B - T_W), for m >= p
                if (m >= p) Close($"zb-h1 p={p} m={m}", ideal + (p - 1) * (tf + tb - tw), zb.Makespan.Value);
                // below the table, ZB-H1 still never loses to 1F1B and never beats the table's bubble
                else Assert.InRange(zb.Makespan.Value, ideal + (p - 1) * (tf + tb - tw) - 1e-9, ideal + (p - 1) * (tf + tb) + 1e-9);
                // arXiv:2401.10241 Table 2: 1F1B bubble (p - 1)(T_F + T_B + T_W)
                Close($"1f1b p={p} m={m}", ideal + (p - 1) * (tf + tb + tw), one.Makespan.Value);
                Close($"closed form zb-h1 p={p} m={m}", zb.Makespan.Value,
                    ClosedFormPipeline.Makespan(ScheduleKind.ZeroBubbleH1, p, m, 1, new Seconds(tf + tb + tw), new Seconds(tw), new Seconds(tw)).Value);
            }
    }

    [Theory, MemberData(nameof(HeavyWeight))]
    public void A_weight_pass_longer_than_the_gap_fills_only_the_gap(double tf, double tb, double tw)
    {
        var fill = ClosedFormPipeline.WeightFill(new Seconds(tf), new Seconds(tb), new Seconds(tw));
        Assert.Equal(Math.Min(tf, tb), fill.Value);
        for (int p = 1; p <= 16; p++)
            for (int m = 1; m <= 64; m++)
            {
                var zb = Simulate(ScheduleKind.ZeroBubbleH1, p, m, tf, tb, tw);
                double closed = ClosedFormPipeline.Makespan(ScheduleKind.ZeroBubbleH1, p, m, 1, new Seconds(tf + tb + tw), new Seconds(tw), fill).Value;
                // below m = p too: the order fills min(p - 1, m - 1) whatever the passes' ratio
                Close($"closed form zb-h1 p={p} m={m}", zb.Makespan.Value, closed);
            }
    }

    [Theory, MemberData(nameof(Passes))]
    public void ZB_H1_holds_the_same_peak_activations_as_1F1B(double tf, double tb, double tw)
    {
        for (int p = 1; p <= 16; p++)
            for (int m = 1; m <= 64; m++)
            {
                var zb = Simulate(ScheduleKind.ZeroBubbleH1, p, m, tf, tb, tw);
                var one = Simulate(ScheduleKind.OneFOneB, p, m, tf, tb, tw);
                Assert.Equal(one.PeakChunksHeld, zb.PeakChunksHeld);
                for (int r = 0; r < p; r++)
                    Assert.Equal(ClosedFormPipeline.InFlight(ScheduleKind.ZeroBubbleH1, p, m, 1, r), zb.PeakMicroBatchesHeld[r], 9);
            }
    }

    [Fact]
    public void Every_ZB_H1_schedule_on_the_grid_passes_the_validator()
    {
        for (int p = 1; p <= 8; p++)
            for (int m = 1; m <= 16; m++)
                Assert.Null(ScheduleValidator.Validate(ScheduleGenerators.Build(ScheduleKind.ZeroBubbleH1, p, m, 1)));
    }

    [Fact]
    public void ZB_H1_is_built_from_I_and_W_with_each_W_after_its_I()
    {
        var s = ScheduleGenerators.Build(ScheduleKind.ZeroBubbleH1, 4, 8, 1);
        Assert.Equal("zb-h1", s.Name);
        foreach (var rank in s.PerRank)
        {
            Assert.DoesNotContain(rank, a => a.Kind == ActionKind.FullBackward);
            for (int i = 0; i < 8; i++)
                Assert.True(rank.ToList().FindIndex(a => a.Kind == ActionKind.BackwardInput && a.MicroBatch == i)
                    < rank.ToList().FindIndex(a => a.Kind == ActionKind.BackwardWeight && a.MicroBatch == i));
        }
    }

    [Fact]
    public void Closed_form_ZB_H1_saves_2_p_minus_1_weight_passes_over_1F1B()
    {
        // arXiv:2401.10241 Table 2: (p - 1)(T_F + T_B + T_W) - (p - 1)(T_F + T_B - T_W) = 2(p - 1)T_W
        var slot = new Seconds(3.0); var w = new Seconds(0.75);
        var one = ClosedFormPipeline.Makespan(ScheduleKind.OneFOneB, 8, 32, 1, slot, w, w);
        var zb = ClosedFormPipeline.Makespan(ScheduleKind.ZeroBubbleH1, 8, 32, 1, slot, w, w);
        Assert.Equal(39 * 3.0, one.Value, 12);
        Assert.Equal(2 * 7 * 0.75, (one - zb).Value, 12);
    }
}
