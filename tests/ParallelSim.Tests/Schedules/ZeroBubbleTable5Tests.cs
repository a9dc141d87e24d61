using System.Text.Json;
using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;
using ParallelSim.Schedules.Generators;
using ParallelSim.Schedules.Simulation;
using Xunit.Abstractions;

namespace ParallelSim.Tests.Schedules;

/// <summary>
/// arXiv:2401.10241 Table 5: bubble rates of 1F1B, interleaved 1F1B (1F1B-I, one layer per chunk), ZB-H1 and ZB-H2 for the
/// paper's GPT-3-like models, from our cost model and the event simulator. Cases and setup are data in
/// configs/checks/zero-bubble-table5.json; nothing is fitted to them.
/// </summary>
public class ZeroBubbleTable5Tests(ITestOutputHelper output)
{
    private static JsonDocument Reference() =>
        JsonDocument.Parse(Catalog.EmbeddedFiles("checks").Single(f => f.Path.EndsWith("zero-bubble-table5.json", StringComparison.Ordinal)).Text);

    public static TheoryData<int> Cases()
    {
        using var doc = Reference();
        var data = new TheoryData<int>();
        for (int i = 0; i < doc.RootElement.GetProperty("cases").GetArrayLength(); i++) data.Add(i);
        return data;
    }

    /// <summary>One case's model, cluster and pipeline-only plan under one schedule, in the Table 3 layout.</summary>
    private static (ModelSpec Model, ClusterSpec Cluster, ParallelPlan Plan) Case(JsonElement setup, JsonElement c, ScheduleKind kind)
    {
        int layers = c.GetProperty("layers").GetInt32(), hidden = c.GetProperty("hidden").GetInt32(), heads = c.GetProperty("heads").GetInt32();
        int p = c.GetProperty("p").GetInt32(), b = c.GetProperty("microBatch").GetInt32(), m = c.GetProperty("m").GetInt32();
        var model = new ModelSpec($"zb-{c.GetProperty("model").GetString()}", Architecture.Gpt, layers, hidden, heads, heads,
            setup.GetProperty("ffnHiddenFactor").GetInt32() * hidden, setup.GetProperty("vocab").GetInt32(), setup.GetProperty("seqLength").GetInt32(),
            false, new Source("arXiv:2401.10241 Table 3"));
        // Table 3: first and last stage one layer fewer, the embedding and the loss counted as a layer each; 1F1B-I one layer per chunk
        int v = kind == ScheduleKind.Interleaved ? (layers + 2) / p : 1;
        var cluster = new ClusterSpec(Catalog.Default.Node(setup.GetProperty("cluster").GetString()!), p);
        var plan = new ParallelPlan(1, p, 1, 1, v, b, m * b, ZeroStage.None, RecomputeMode.None, false,
            kind, PrecisionPolicy.Megatron, setup.GetProperty("flashAttention").GetBoolean(), LayerSplit.EmbeddingAndLoss);
        Assert.DoesNotContain(PlanValidator.Validate(model, cluster, plan), i => i.Severity == Severity.Error);
        return (model, cluster, plan);
    }

    /// <summary>Simulates one case under one schedule with our cost model and the Table 3 layout.</summary>
    public static TimelineSummary Simulate(JsonElement setup, JsonElement c, ScheduleKind kind)
    {
        var (model, cluster, plan) = Case(setup, c, kind);
        int p = plan.Pp, m = plan.MicroBatches, v = plan.Vpp;
        var options = CostOptions.Default with { OverlapP2P = setup.GetProperty("overlapP2P").GetBoolean() };
        var costs = CostModel.Evaluate(model, cluster, plan, options);

        var durations = StepCostsAdapter.Durations(costs, plan, cluster);

        var schedule = ScheduleGenerators.Build(plan.Schedule, p, m, v);
        var timeline = PipelineSimulator.Run(schedule, durations, new SimulatorOptions(options.OverlapP2P));
        return TimelineSummary.Of(timeline);
    }

    [Theory, MemberData(nameof(Cases))]
    public void The_simulator_reproduces_Table_5_from_the_papers_own_profiled_times(int index)
    {
        // sail-sg efficiency.py: identical stages; 1F1B backward T_B + T_W; interleaved v = l / p chunks of 1/v each;
        // T_comm on each stage-to-stage dependency only (our overlapped mode)
        using var doc = Reference();
        var c = doc.RootElement.GetProperty("cases")[index];
        var t = c.GetProperty("profiledMicroseconds");
        double f = t.GetProperty("forward").GetDouble(), b = t.GetProperty("backwardInput").GetDouble(), w = t.GetProperty("backwardWeight").GetDouble();
        var comm = Seconds.FromMicroseconds(t.GetProperty("comm").GetDouble());
        int p = c.GetProperty("p").GetInt32(), m = c.GetProperty("m").GetInt32(), v = (c.GetProperty("layers").GetInt32() + 2) / p;
        var overlapped = new SimulatorOptions(OverlapCommunication: true);
        var oneF = TimelineSummary.Of(PipelineSimulator.Run(OneFOneB.Build(p, m),
            StageDurations.Uniform(p, Seconds.FromMicroseconds(f), Seconds.FromMicroseconds(b + w), comm), overlapped));
        var inter = TimelineSummary.Of(PipelineSimulator.Run(Interleaved1F1B.Build(p, m, v),
            StageDurations.Uniform(p * v, Seconds.FromMicroseconds(f / v), Seconds.FromMicroseconds((b + w) / v), comm), overlapped));
        var zb = TimelineSummary.Of(PipelineSimulator.Run(ZeroBubbleH1.Build(p, m),
            StageDurations.Uniform(p, Seconds.FromMicroseconds(f), Seconds.FromMicroseconds(b + w), comm, Seconds.FromMicroseconds(w)), overlapped));
        output.WriteLine($"1F1B {oneF.BubbleFraction:F4} (paper {c.GetProperty("oneFOneB").GetDouble():F4}), 1F1B-I {inter.BubbleFraction:F4} (paper {c.GetProperty("interleaved").GetDouble():F4}), ZB-H1 {zb.BubbleFraction:F4} (paper {c.GetProperty("zbH1").GetDouble():F4})");
        Assert.Equal(c.GetProperty("zbH1").GetDouble(), zb.BubbleFraction, 0.00005);
        // Table 5 prints 4 decimals
        Assert.Equal(c.GetProperty("oneFOneB").GetDouble(), oneF.BubbleFraction, 0.00005);
        // the paper's script enforces the chunk wrap-around dependency for one micro-batch in p only (see the JSON note)
        double tolInter = doc.RootElement.GetProperty("interleavedReproductionTolerance").GetDouble();
        Assert.InRange(inter.BubbleFraction - c.GetProperty("interleaved").GetDouble(), 0.0, tolInter);
    }

    [Theory, MemberData(nameof(Cases))]
    public void The_simulator_reproduces_Table_5s_ZB_H2_column_from_the_papers_own_profiled_times(int index)
    {
        // sail-sg efficiency.py get_hand_schedule(warmup_c = 2): identical stages, T_comm on each stage-to-stage dependency
        // (our overlapped mode), the cost of a step the longest span of one rank (steps overlap; see zbH2Metric in the JSON)
        using var doc = Reference();
        var c = doc.RootElement.GetProperty("cases")[index];
        var t = c.GetProperty("profiledMicroseconds");
        double f = t.GetProperty("forward").GetDouble(), b = t.GetProperty("backwardInput").GetDouble(), w = t.GetProperty("backwardWeight").GetDouble();
        double comm = t.GetProperty("comm").GetDouble();
        int p = c.GetProperty("p").GetInt32(), m = c.GetProperty("m").GetInt32();
        var zb = TimelineSummary.Of(PipelineSimulator.Run(ZeroBubbleH2.Build(p, m),
            StageDurations.Uniform(p, Seconds.FromMicroseconds(f), Seconds.FromMicroseconds(b + w), Seconds.FromMicroseconds(comm), Seconds.FromMicroseconds(w)),
            new SimulatorOptions(OverlapCommunication: true)));
        double paper = c.GetProperty("zbH2").GetDouble();
        output.WriteLine($"{c.GetProperty("model").GetString()} p={p} m={m}: ZB-H2 {zb.PeriodBubbleFraction:F4} (paper {paper:F4}, " +
            $"diff {zb.PeriodBubbleFraction - paper:F5}); first start to last end {zb.BubbleFraction:F4}");
        // Table 5 prints 4 decimals
        Assert.Equal(paper, zb.PeriodBubbleFraction, 0.00005);
        // the authors' script asserts the span is m(T_F + T_B + T_W) + (p - 1)(T_F + T_B + 2T_comm - 2T_W) (Table 2 with transfers)
        Assert.Equal(m * (f + b + w) + (p - 1) * (f + b + 2 * comm - 2 * w), zb.Period.Value * 1e6, 1e-6 * zb.Period.Value * 1e6);
        // arXiv:2401.10241 Table 2: (2p - 1)M_B on the first rank, 1 on the last
        Assert.Equal(2 * p - 1, zb.PeakChunksHeld[0]);
        Assert.Equal(1, zb.PeakChunksHeld[p - 1]);
    }

    [Theory, MemberData(nameof(Cases))]
    public void Bubble_rates_from_our_cost_model_match_the_zero_bubble_paper_within_3_points(int index)
    {
        using var doc = Reference();
        var setup = doc.RootElement.GetProperty("setup");
        var c = doc.RootElement.GetProperty("cases")[index];
        double tol = doc.RootElement.GetProperty("tolerance").GetDouble();
        var oneF = Simulate(setup, c, ScheduleKind.OneFOneB); var inter = Simulate(setup, c, ScheduleKind.Interleaved);
        double paperOneF = c.GetProperty("oneFOneB").GetDouble(), paperInter = c.GetProperty("interleaved").GetDouble();
        output.WriteLine($"{c.GetProperty("model").GetString()} p={c.GetProperty("p").GetInt32()} m={c.GetProperty("m").GetInt32()}: " +
            $"1F1B {oneF.BusiestRankBubbleFraction:F4} (paper {paperOneF:F4}, diff {oneF.BusiestRankBubbleFraction - paperOneF:+0.0000;-0.0000}; idle over total {oneF.BubbleFraction:F4}), " +
            $"1F1B-I {inter.BusiestRankBubbleFraction:F4} (paper {paperInter:F4}, diff {inter.BusiestRankBubbleFraction - paperInter:+0.0000;-0.0000}; idle over total {inter.BubbleFraction:F4})");
        // the three 1.5B 1F1B rows miss by 0.037-0.044, explained in the JSON (knownDeviation): asserted at their own, stated tolerance
        double tolOneF = c.TryGetProperty("knownDeviation", out var known) ? known.GetProperty("tolerance").GetDouble() : tol;
        Assert.InRange(oneF.BusiestRankBubbleFraction, paperOneF - tolOneF, paperOneF + tolOneF);
        Assert.InRange(inter.BusiestRankBubbleFraction, paperInter - tol, paperInter + tol);
    }

    /// <summary>
    /// Table 5's method with our durations: the paper computes its rates for identical stages from one stage's T_F, T_B,
    /// T_W and T_comm (sail-sg efficiency.py; the Table 3 layout balances the end stages), so here every (virtual) stage
    /// gets our cost model's middle stage timing and its point-to-point time, run as the paper runs its profile.
    /// </summary>
    public static TimelineSummary PaperMethod(JsonElement setup, JsonElement c, ScheduleKind kind)
    {
        var (model, cluster, plan) = Case(setup, c, kind);
        int p = plan.Pp, m = plan.MicroBatches, v = plan.Vpp;
        var costs = CostModel.Evaluate(model, cluster, plan, CostOptions.Default);
        var durations = StepCostsAdapter.Durations(costs, plan, cluster);
        var middle = durations.Stages[durations.Stages.Count / 2];
        var uniform = StageDurations.Uniform(durations.Stages.Count, middle.Forward, middle.FullBackward, middle.SendToNext, middle.BackwardWeight);
        var schedule = ScheduleGenerators.Build(plan.Schedule, p, m, v);
        return TimelineSummary.Of(PipelineSimulator.Run(schedule, uniform, new SimulatorOptions(OverlapCommunication: true)));
    }

    [Theory, MemberData(nameof(Cases))]
    public void Table_5_by_the_papers_method_with_our_durations_is_within_3_points(int index)
    {
        using var doc = Reference();
        var setup = doc.RootElement.GetProperty("setup");
        var c = doc.RootElement.GetProperty("cases")[index];
        double tol = doc.RootElement.GetProperty("tolerance").GetDouble();
        var oneF = PaperMethod(setup, c, ScheduleKind.OneFOneB); var inter = PaperMethod(setup, c, ScheduleKind.Interleaved);
        double paperOneF = c.GetProperty("oneFOneB").GetDouble(), paperInter = c.GetProperty("interleaved").GetDouble();
        output.WriteLine($"{c.GetProperty("model").GetString()} p={c.GetProperty("p").GetInt32()} m={c.GetProperty("m").GetInt32()}: " +
            $"1F1B {oneF.BubbleFraction:F4} (paper {paperOneF:F4}, diff {oneF.BubbleFraction - paperOneF:+0.0000;-0.0000}), " +
            $"1F1B-I {inter.BubbleFraction:F4} (paper {paperInter:F4}, diff {inter.BubbleFraction - paperInter:+0.0000;-0.0000})");
        Assert.InRange(oneF.BubbleFraction, paperOneF - tol, paperOneF + tol);
        Assert.InRange(inter.BubbleFraction, paperInter - tol, paperInter + tol);
    }

    [Theory, MemberData(nameof(Cases))]
    public void With_our_cost_model_ZB_H1_beats_1F1B_on_every_case_with_the_same_activations(int index)
    {
        // Not asserted against the paper's ZB-H1 column: from the paper's own profiled times the simulator reproduces it
        // (above), but our cost model's T_W / T_F is about 0.9 where the paper measured 0.50-0.74, so more of the drain is
        // filled and our ZB-H1 bubble comes out up to 0.067 lower (printed here; a cost-model matter, not the schedule's)
        using var doc = Reference();
        var setup = doc.RootElement.GetProperty("setup");
        var c = doc.RootElement.GetProperty("cases")[index];
        var zb = Simulate(setup, c, ScheduleKind.ZeroBubbleH1); var oneF = Simulate(setup, c, ScheduleKind.OneFOneB);
        double paper = c.GetProperty("zbH1").GetDouble();
        output.WriteLine($"{c.GetProperty("model").GetString()} p={c.GetProperty("p").GetInt32()} m={c.GetProperty("m").GetInt32()}: " +
            $"ZB-H1 {zb.BusiestRankBubbleFraction:F4} (paper {paper:F4}, diff {zb.BusiestRankBubbleFraction - paper:+0.0000;-0.0000}), 1F1B {oneF.BusiestRankBubbleFraction:F4}");
        Assert.True(zb.BusiestRankBubbleFraction < oneF.BusiestRankBubbleFraction);
        Assert.True(zb.Makespan < oneF.Makespan);
        Assert.Equal(oneF.PeakActivationBytes, zb.PeakActivationBytes);
    }

    [Theory, MemberData(nameof(Cases))]
    public void With_our_cost_model_ZB_H2_beats_ZB_H1_on_every_case_with_2p_minus_1_micro_batches_on_rank_0(int index)
    {
        // Not asserted against the paper's ZB-H2 column, for the reason the ZB-H1 one is not (our T_W / T_F); printed
        using var doc = Reference();
        var setup = doc.RootElement.GetProperty("setup");
        var c = doc.RootElement.GetProperty("cases")[index];
        var h2 = Simulate(setup, c, ScheduleKind.ZeroBubbleH2); var h1 = Simulate(setup, c, ScheduleKind.ZeroBubbleH1);
        int p = c.GetProperty("p").GetInt32();
        double paper = c.GetProperty("zbH2").GetDouble(), rate = 1 - h2.BusiestRankCompute.Value / h2.Period.Value;
        output.WriteLine($"{c.GetProperty("model").GetString()} p={p} m={c.GetProperty("m").GetInt32()}: " +
            $"ZB-H2 {rate:F4} (paper {paper:F4}, diff {rate - paper:+0.0000;-0.0000}), ZB-H1 {h1.BusiestRankBubbleFraction:F4}");
        Assert.True(h2.Period < h1.Makespan);
        // arXiv:2401.10241 Table 2: (2p - 1)M_B against p M_B on the first rank, whatever its layer count
        Assert.Equal(2 * p - 1, h2.PeakChunksHeld[0]);
        Assert.Equal((2.0 * p - 1) / p, h2.PeakActivationBytes[0].Value / h1.PeakActivationBytes[0].Value, 1e-12);
    }
}
