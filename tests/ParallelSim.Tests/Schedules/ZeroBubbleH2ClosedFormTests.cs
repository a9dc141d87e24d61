using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Units;
using ParallelSim.Schedules;
using ParallelSim.Schedules.Generators;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Tests.Schedules;

/// <summary>
/// ZB-H2 (arXiv:2401.10241 §3.1, Fig. 4): the event simulator runs it; the paper's Table 2 (bubble (p - 1)(T_F + T_B - 2T_W),
/// peak activations (2p - 1)M_B) is the oracle for each rank's own span, the step time once steps overlap, and so is
/// ClosedFormPipeline, which the analytical path uses.
/// </summary>
public class ZeroBubbleH2ClosedFormTests
{
    // as ZeroBubbleH1ClosedFormTests: the paper's regime T_W <= T_F, T_B (Table 1 ratios, equal passes, a light W)
    public static TheoryData<double, double, double> Passes => ZeroBubbleH1ClosedFormTests.Passes;

    // outside it: W longer than F or the input backward; the first two close the bubble completely (T_F + T_B < 2 min(T_W, T_F))
    public static TheoryData<double, double, double> HeavyWeight => ZeroBubbleH1ClosedFormTests.HeavyWeight;

    private static void Close(string what, double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-9 * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}");

    private static TimelineSummary Simulate(ScheduleKind kind, int p, int m, double tf, double tb, double tw) =>
        TimelineSummary.Of(PipelineSimulator.Run(ScheduleGenerators.Build(kind, p, m, 1),
            StageDurations.Uniform(p, new Seconds(tf), new Seconds(tb + tw), weight: new Seconds(tw))));

    private static double Closed(int p, int m, double tf, double tb, double tw) =>
        ClosedFormPipeline.Makespan(ScheduleKind.ZeroBubbleH2, p, m, 1, new Seconds(tf + tb + tw), new Seconds(tw),
            ClosedFormPipeline.WeightFillH2(new Seconds(tf), new Seconds(tw))).Value;

    [Theory, MemberData(nameof(Passes))]
    public void Each_ranks_span_is_the_papers_Table_2_and_the_closed_form_at_every_m(double tf, double tb, double tw)
    {
        for (int p = 1; p <= 16; p++)
            for (int m = 1; m <= 64; m++)
            {
                double ideal = m * (tf + tb + tw);
                var zb = Simulate(ScheduleKind.ZeroBubbleH2, p, m, tf, tb, tw);
                // arXiv:2401.10241 Table 2: ZB-H2 bubble (p - 1)(T_F + T_B - 2T_W), once the warm-up fits (m >= 2p - 1)
                if (m >= 2 * p - 1) Close($"zb-h2 p={p} m={m}", ideal + (p - 1) * (tf + tb - 2 * tw), zb.Period.Value);
                // below, fewer W passes reach the tail: between the table's bubble and none filled
                else Assert.InRange(zb.Period.Value, ideal + (p - 1) * (tf + tb - 2 * tw) - 1e-9, ideal + (p - 1) * (tf + tb) + 1e-9);
                Close($"closed form zb-h2 p={p} m={m}", zb.Period.Value, Closed(p, m, tf, tb, tw));
            }
    }

    [Theory, MemberData(nameof(HeavyWeight))]
    public void A_weight_pass_longer_than_the_forward_fills_only_the_forward(double tf, double tb, double tw)
    {
        double fill = ClosedFormPipeline.WeightFillH2(new Seconds(tf), new Seconds(tw)).Value;
        Assert.Equal(Math.Min(tf, tw), fill);
        for (int p = 1; p <= 16; p++)
            for (int m = 1; m <= 64; m++)
            {
                double sim = Simulate(ScheduleKind.ZeroBubbleH2, p, m, tf, tb, tw).Period.Value, closed = Closed(p, m, tf, tb, tw);
                if (m >= 2 * p - 1 || tf + tb >= 2 * fill) Close($"closed form zb-h2 p={p} m={m}", sim, closed);
                // a fully closed bubble below m = 2p - 1: the order leaves some gaps the closed form does not count
                else Assert.InRange(sim - closed, -1e-9, (p - 1) * fill);
            }
    }

    [Theory, MemberData(nameof(Passes))]
    public void ZB_H2_holds_2p_minus_1_micro_batches_on_rank_0(double tf, double tb, double tw)
    {
        for (int p = 1; p <= 16; p++)
            for (int m = 1; m <= 64; m++)
            {
                var zb = Simulate(ScheduleKind.ZeroBubbleH2, p, m, tf, tb, tw);
                for (int r = 0; r < p; r++)
                    Assert.Equal(ClosedFormPipeline.InFlight(ScheduleKind.ZeroBubbleH2, p, m, 1, r), zb.PeakMicroBatchesHeld[r], 9);
                // arXiv:2401.10241 Table 2: (2p - 1)M_B, against p M_B for 1F1B and ZB-H1
                if (m >= 2 * p - 1) Assert.Equal(2 * p - 1, zb.PeakChunksHeld[0]);
            }
    }

    [Fact]
    public void One_step_alone_also_pays_the_last_ranks_fill()
    {
        // without overlapping steps, the last rank starts (p - 1)T_F late and then runs without a gap: the first-start-to-
        // last-end makespan is m·T + (p - 1)·max(T_F, T_F + T_B - 2T_W) for m >= 2p - 1 (derived; this is why the paper's
        // ZB-H2 needs the optimizer synchronisation dropped)
        foreach (var (tf, tb, tw) in new[] { (1.0, 1.2, 0.8), (1.0, 1.0, 1.0), (0.7, 0.9, 0.2) })
            for (int p = 1; p <= 12; p++)
                for (int m = 2 * p - 1; m <= 40; m++)
                {
                    var zb = Simulate(ScheduleKind.ZeroBubbleH2, p, m, tf, tb, tw);
                    Close($"makespan p={p} m={m}", m * (tf + tb + tw) + (p - 1) * Math.Max(tf, tf + tb - 2 * tw), zb.Makespan.Value);
                }
    }

    [Theory]
    [InlineData(ScheduleKind.GPipe)]
    [InlineData(ScheduleKind.OneFOneB)]
    [InlineData(ScheduleKind.ZeroBubbleH1)]
    public void Other_schedules_start_and_end_on_rank_0_so_their_period_is_the_makespan(ScheduleKind kind)
    {
        for (int p = 1; p <= 10; p++)
            for (int m = 1; m <= 24; m++)
            {
                var s = Simulate(kind, p, m, 1.0, 1.2, 0.8);
                Close($"{kind} p={p} m={m}", s.Makespan.Value, s.Period.Value);
                Assert.Equal(s.BubbleFraction, s.PeriodBubbleFraction, 12);
            }
        for (int p = 2; p <= 8; p++)
            for (int m = p; m <= 24; m += p)
            {
                var s = TimelineSummary.Of(PipelineSimulator.Run(Interleaved1F1B.Build(p, m, 2), StageDurations.Uniform(2 * p, new(0.5), new(1.0))));
                Close($"interleaved p={p} m={m}", s.Makespan.Value, s.Period.Value);
            }
    }

    /// <summary>The authors' test for a W, warm-up + step >= c(p - 1), with the warm-up capped at m (sail-sg get_hand_schedule).</summary>
    private static PipelineSchedule LiteralHandSchedule(int p, int m, int c)
    {
        var ranks = new IReadOnlyList<PipelineAction>[p];
        for (int r = 0; r < p; r++)
        {
            var list = new List<PipelineAction>();
            int warmup = Math.Min(c * (p - r - 1), m), f = 0, w = 0;
            for (; f < warmup; f++) list.Add(new(r, ActionKind.Forward, f));
            for (int i = 0; i < m; i++)
            {
                if (f < m) list.Add(new(r, ActionKind.Forward, f++));
                list.Add(new(r, ActionKind.BackwardInput, i));
                if (warmup + i >= c * (p - 1)) list.Add(new(r, ActionKind.BackwardWeight, w++));
            }
            while (w < m) list.Add(new(r, ActionKind.BackwardWeight, w++));
            ranks[r] = list;
        }
        return new PipelineSchedule("literal", p, m, ranks);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_order_is_the_authors_with_the_full_warm_up_and_never_slower_below_it(int c)
    {
        var kind = c == 1 ? ScheduleKind.ZeroBubbleH1 : ScheduleKind.ZeroBubbleH2;
        foreach (var (tf, tb, tw) in new[] { (1.0, 1.2, 0.8), (1.0, 0.5, 1.5) })
            for (int p = 1; p <= 12; p++)
                for (int m = 1; m <= 32; m++)
                {
                    var ours = ScheduleGenerators.Build(kind, p, m, 1);
                    var literal = LiteralHandSchedule(p, m, c);
                    if (m >= c * (p - 1))
                        for (int r = 0; r < p; r++) Assert.Equal(literal.PerRank[r], ours.PerRank[r]);
                    var durations = StageDurations.Uniform(p, new Seconds(tf), new Seconds(tb + tw), weight: new Seconds(tw));
                    var a = TimelineSummary.Of(PipelineSimulator.Run(ours, durations));
                    var b = TimelineSummary.Of(PipelineSimulator.Run(literal, durations));
                    Assert.True(a.Makespan.Value <= b.Makespan.Value + 1e-9 && a.Period.Value <= b.Period.Value + 1e-9, $"c={c} p={p} m={m}");
                    Assert.Equal(b.PeakChunksHeld, a.PeakChunksHeld);
                }
    }

    [Fact]
    public void Every_ZB_H2_schedule_on_the_grid_passes_the_validator_including_m_below_2p()
    {
        for (int p = 1; p <= 12; p++)
            for (int m = 1; m <= 32; m++)
                Assert.Null(ScheduleValidator.Validate(ScheduleGenerators.Build(ScheduleKind.ZeroBubbleH2, p, m, 1)));
    }

    [Fact]
    public void ZB_H2_warms_up_with_two_forwards_per_later_stage_and_keeps_each_W_after_its_I()
    {
        var s = ScheduleGenerators.Build(ScheduleKind.ZeroBubbleH2, 4, 12, 1);
        Assert.Equal("zb-h2", s.Name);
        for (int r = 0; r < 4; r++)
        {
            var rank = s.PerRank[r].ToList();
            // 2(p - r - 1) warm-up forwards, then one more before the first I
            Assert.Equal(2 * (4 - r - 1) + 1, rank.FindIndex(a => a.Kind == ActionKind.BackwardInput));
            Assert.DoesNotContain(rank, a => a.Kind == ActionKind.FullBackward);
            for (int i = 0; i < 12; i++)
                Assert.True(rank.FindIndex(a => a.Kind == ActionKind.BackwardInput && a.MicroBatch == i)
                    < rank.FindIndex(a => a.Kind == ActionKind.BackwardWeight && a.MicroBatch == i));
            // rank 0 runs each W straight after its I; rank r's first W waits for 2r more I passes, and its last 2r + 1 close the list
            Assert.Equal(2 * r + 1, rank.TakeWhile(a => a.Kind != ActionKind.BackwardWeight).Count(a => a.Kind == ActionKind.BackwardInput));
            Assert.Equal(2 * r + 1, rank.AsEnumerable().Reverse().TakeWhile(a => a.Kind == ActionKind.BackwardWeight).Count());
        }
        Assert.Equal("zb-h1", ZeroBubble.Build(4, 12, 1).Name);
        Assert.Throws<ArgumentException>(() => ZeroBubble.Build(4, 12, 3));
    }

    [Fact]
    public void Closed_form_ZB_H2_saves_p_minus_1_more_weight_passes_than_ZB_H1()
    {
        // arXiv:2401.10241 Table 2: (p - 1)(T_F + T_B - T_W) - (p - 1)(T_F + T_B - 2T_W) = (p - 1)T_W
        var slot = new Seconds(3.0); var w = new Seconds(0.75);
        var h1 = ClosedFormPipeline.Makespan(ScheduleKind.ZeroBubbleH1, 8, 32, 1, slot, w, w);
        var h2 = ClosedFormPipeline.Makespan(ScheduleKind.ZeroBubbleH2, 8, 32, 1, slot, w, w);
        Assert.Equal(7 * 0.75, (h1 - h2).Value, 12);
        Assert.Equal(15.0, ClosedFormPipeline.InFlight(ScheduleKind.ZeroBubbleH2, 8, 32, 1, 0));
        Assert.Equal(1.0, ClosedFormPipeline.InFlight(ScheduleKind.ZeroBubbleH2, 8, 32, 1, 7));
    }

    [Fact]
    public void A_simulated_ZB_H2_step_costs_the_period_other_schedules_the_makespan()
    {
        var sim = Simulate(ScheduleKind.ZeroBubbleH2, 8, 24, 1.0, 1.2, 0.8);
        Assert.True(sim.Period < sim.Makespan);
        var h2 = SimulatedPipeline.Outcome(ScheduleKind.ZeroBubbleH2, sim, "event simulation");
        Assert.Equal(sim.Period, h2.Makespan);
        Assert.Equal(sim.PeriodBubbleFraction, h2.IdleFraction);
        Assert.Equal("event simulation, steps overlapping", h2.Method);
        Assert.Equal(sim.Makespan, SimulatedPipeline.Outcome(ScheduleKind.ZeroBubbleH1, sim, "event simulation").Makespan);
    }
}
