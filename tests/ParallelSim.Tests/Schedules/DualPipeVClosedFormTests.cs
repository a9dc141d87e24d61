using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Core.Units;
using ParallelSim.Schedules.Generators;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Tests.Schedules;

/// <summary>
/// DualPipeV in the event simulator against ClosedFormPipeline (which the analytical path uses) and against the
/// deepseek-ai/DualPipe README's table (DualPipeV on PP/2 devices: bubble (PP/2 - 1)(F&amp;B + B - 3W), activations PP + 1),
/// with p devices, 2p stages and identical chunks.
/// </summary>
public class DualPipeVClosedFormTests
{
    // one chunk's F, I (input backward), W: W <= I <= F <= I + W (the README's usual picture); I > F (the cost model's
    // usual case: the input backward carries the attention backward and any recompute); W heavier than I; W heavier than F
    public static TheoryData<double, double, double> Passes => new()
    {
        { 1.0, 1.0, 1.0 }, { 1.0, 0.8, 0.6 }, { 1.0, 1.5, 0.5 }, { 1.0, 1.2, 0.9 }, { 0.3, 2.0, 0.7 }, { 1.0, 0.5, 1.5 }, { 2.0, 0.4, 0.5 },
    };

    private static void Close(string what, double expected, double actual) =>
        Assert.True(Math.Abs(actual - expected) <= 1e-9 * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}");

    private static TimelineSummary Simulate(int p, int m, double tf, double ti, double tw, double p2p = 0) =>
        TimelineSummary.Of(PipelineSimulator.Run(DualPipeV.Build(p, m),
            StageDurations.Uniform(2 * p, new Seconds(tf), new Seconds(ti + tw), new Seconds(p2p), weight: new Seconds(tw))));

    [Theory, MemberData(nameof(Passes))]
    public void The_closed_form_is_the_simulated_step_for_p_1_to_16_and_m_2p_to_64(double tf, double ti, double tw)
    {
        for (int p = 1; p <= 16; p++)
            for (int m = 2 * p; m <= 64; m++)
            {
                var sim = Simulate(p, m, tf, ti, tw);
                double closed = DualPipeVClosedForm.Makespan(p, m, new Seconds(tf), new Seconds(ti), new Seconds(tw)).Value;
                Close($"p={p} m={m}", sim.Makespan.Value, closed);
                // rank 0 starts first and ends last: the step is one rank's span, and every rank computes 2m(F + I + W)
                Close($"period p={p} m={m}", sim.Makespan.Value, sim.Period.Value);
                Assert.All(sim.BusyPerRank, b => Close("busy", 2 * m * (tf + ti + tw), b.Value));
            }
    }

    [Theory, MemberData(nameof(Passes))]
    public void With_identical_stages_the_plan_level_step_is_the_closed_form(double tf, double ti, double tw)
    {
        // DualPipeVClosedForm.Step's two lower bounds meet: the busiest rank's m slots (two chunks: 2(F + I + W)) and the lightest pace
        for (int p = 1; p <= 8; p++)
            foreach (int m in new[] { 2 * p, 2 * p + 3, 64 })
            {
                var chunk = (new Seconds(tf), new Seconds(ti), new Seconds(tw));
                double step = DualPipeVClosedForm.Step(p, m, new Seconds(2 * (tf + ti + tw)), chunk).Value;
                Close($"p={p} m={m}", Simulate(p, m, tf, ti, tw).Makespan.Value, step);
            }
    }

    [Fact]
    public void With_a_heavier_rank_0_the_step_is_bounded_below_by_both()
    {
        // rank 0's chunks carry the embedding and the head: heavier than the rest, as the cost model makes them
        for (int p = 2; p <= 12; p++)
            foreach (int m in new[] { 2 * p, 64 })
            {
                var durations = StageDurations.Uniform(2 * p, new Seconds(1), new Seconds(2.5), weight: new Seconds(1));
                var light = durations.Stages[1];
                durations = durations.With(0, light.Times(1.1)).With(2 * p - 1, light.Times(1.4));
                double sim = PipelineSimulator.Run(DualPipeV.Build(p, m), durations).Makespan.Value;
                double busiest = (durations.Stages[0].Forward + durations.Stages[0].FullBackward + durations.Stages[2 * p - 1].Forward
                    + durations.Stages[2 * p - 1].FullBackward).Value;
                double step = DualPipeVClosedForm.Step(p, m, new Seconds(busiest), (new Seconds(1), new Seconds(1.5), new Seconds(1))).Value;
                Assert.InRange(sim, step * (1 - 1e-9), step * 1.03);
            }
    }

    [Fact]
    public void The_bubble_does_not_grow_with_m_and_is_zero_on_one_rank()
    {
        Assert.Equal(0, DualPipeVClosedForm.Bubble(1, new Seconds(1), new Seconds(2), new Seconds(0.5)).Value);
        for (int p = 2; p <= 8; p++)
        {
            double first = Simulate(p, 2 * p, 1, 1.5, 0.5).Makespan.Value - 2 * (2 * p) * 3;
            double late = Simulate(p, 64, 1, 1.5, 0.5).Makespan.Value - 2 * 64 * 3;
            Assert.Equal(first, late, 9);
            Assert.True(first > 0);
        }
    }

    [Theory]
    [InlineData(1.0, 1.0, 1.0)]
    [InlineData(1.0, 1.0, 0.5)]
    [InlineData(1.0, 0.8, 0.6)]
    [InlineData(1.2, 1.0, 0.4)]
    public void Run_one_after_the_other_the_pairs_leave_the_READMEs_bubble_less_p_minus_1_input_backwards(double tf, double ti, double tw)
    {
        // the README: (PP/2 - 1)(F&B + B - 3W) on PP/2 = p devices; with no overlap F&B = F + B, and B = I + W
        for (int p = 2; p <= 16; p++)
        {
            double b = ti + tw, readme = (p - 1) * (tf + b + b - 3 * tw);
            double bubble = Simulate(p, 2 * p + 5, tf, ti, tw).Makespan.Value - 2 * (2 * p + 5) * (tf + b);
            // in W <= I <= F <= I + W: (p - 1)(F + B - 2W)
            Assert.Equal(readme - (p - 1) * ti, bubble, 9);
        }
    }

    [Theory, MemberData(nameof(Passes))]
    public void Every_rank_holds_2p_plus_1_chunks_the_READMEs_PP_plus_1(double tf, double ti, double tw)
    {
        for (int p = 1; p <= 16; p++)
            for (int m = 2 * p; m <= 64; m += 3)
            {
                var sim = Simulate(p, m, tf, ti, tw);
                for (int r = 0; r < p; r++)
                {
                    // the README's PP + 1 activations per device, in stages' (chunks') worth, PP = 2p stages
                    Assert.Equal(2 * p + 1, sim.PeakChunksHeld[r]);
                    // in micro-batches' worth of the rank's layers (two chunks): p + 1/2, against 1F1B's p on rank 0
                    Assert.Equal(ClosedFormPipeline.InFlight(ScheduleKind.DualPipeV, p, m, 2, r), sim.PeakMicroBatchesHeld[r], 9);
                    Assert.Equal(p + 0.5, sim.PeakMicroBatchesHeld[r], 9);
                }
            }
    }

    [Fact]
    public void With_transfers_the_closed_form_charges_each_chunk_pass_its_send()
    {
        // sends not overlapped: the simulator keeps the sender busy for the transfer; the closed form adds one send to each
        // chunk's forward and input backward, which counts the V's turn (stage p - 1 to p, on one rank) and rank 0's
        // missing sends too: never below the simulation, and within (p - 1) + 4 sends of it here
        for (int p = 2; p <= 12; p++)
            foreach (int m in new[] { 2 * p, 3 * p, 64 })
            {
                double t = 0.1;
                var sim = PipelineSimulator.Run(DualPipeV.Build(p, m),
                    StageDurations.Uniform(2 * p, new Seconds(1), new Seconds(2.5), new Seconds(t), weight: new Seconds(1)), new SimulatorOptions(false));
                double closed = DualPipeVClosedForm.Makespan(p, m, new Seconds(1 + t), new Seconds(1.5 + t), new Seconds(1)).Value;
                Assert.InRange(closed - sim.Makespan.Value, -1e-9, 4 * m * t);
            }
    }
}
