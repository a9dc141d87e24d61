using System.Text;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;
using ParallelSim.Search;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Output;

/// <summary>
/// The one-screen sweep report: what was searched, the ranked table, why the winner beats the best of
/// each other family, and the Pareto front when several GPU counts were swept.
/// </summary>
public static class SweepReport
{
    private const double GiB = 1024.0 * 1024 * 1024;

    public static string Render(SweepResult r, Sweeper sweeper, int top, OutputFormat format, string? description = null)
    {
        var q = r.Request; var m = q.Model;
        var sb = new StringBuilder();
        string counts = string.Join(", ", q.GpuCounts.Distinct().Order().Select(g => N(g)));
        sb.Append($"Sweep: {m.Name} ({F(m.Parameters / 1e9, 1)}B parameters) on {counts} x {q.Node.Gpu.Name} ({q.Node.Name}, {q.Node.GpusPerNode} per node), ")
          .Append($"global batch {q.Fixed.GlobalBatch}, stack {q.Costs.Stack.Name} ({Core.Stack.StackNames.Name(q.Costs.Stack.Attention)} attention, {ScheduleNames.Name(q.Fixed.Precision)} precision), objective {ObjectiveNames.Name(q.Objective)}\n");
        if (q.Costs.Stack.ZeroStages is not null || q.Costs.Stack.Schedules is not null || q.Costs.Stack.Parallelisms is not null)
            sb.Append($"Stack {q.Costs.Stack.Name} ships: ZeRO {(q.Costs.Stack.ZeroStages is { } z ? string.Join(",", z.Select(x => (int)x)) : "any")}; schedules {(q.Costs.Stack.Schedules is { } sc ? string.Join(",", sc.Select(ScheduleNames.Name)) : "any")}; " +
                $"parallelism dp{(q.Costs.Stack.Parallelisms is { } pl ? string.Concat(pl.Select(d => "," + d)) : ",tp,pp,cp,sp")} (a family outside these is not swept)\n");
        if (description is not null) sb.Append($"Spec: {description}\n");
        double screenSeconds = r.Timings.Screen.TotalSeconds;
        sb.Append($"Plans: {N(r.Plans.Count)} valid ({N(r.RejectedRows)} invalid branches cut before evaluation); screened {N(r.Screened)} in {F(screenSeconds, 2)} s")
          .Append($" ({N((long)(r.Screened / Math.Max(screenSeconds, 1e-9)))} plans/s on {Environment.ProcessorCount} cores); ")
          .Append($"{N(r.Fitting)} fit with {F(q.Headroom * 100, 0)}% memory headroom, {N(r.OutOfMemory)} do not\n");
        int refined = r.Evaluated.Count(e => e is { Refined: true });
        sb.Append(refined == 0 ? $"Refined: none ({(r.Fitting == 0 ? "no plan fits" : r.Cancelled ? "stopped before refining" : "--refine-top 0")})\n"
            : sweeper.RefinesWithAnotherEvaluator
            ? $"Refined: the best {refined} re-run through the refining simulator; ranked by its numbers, the rest by the screen's\n"
            : $"Refined: the best {refined} re-run through the same analytical path (no event simulator plugged in yet)\n");
        if (r.Cancelled) sb.Append($"STOPPED by Ctrl-C after {N(r.Screened)} of {N(r.Plans.Count)} plans: the best found so far\n");
        if (r.Plans.Count == 0)
        {
            // nothing to screen: every choice was cut as invalid; say why (the first reasons, as the --out file lists them all)
            var reasons = r.Spaces.SelectMany(s => s.Rejected).Select(x => x.Reason).Distinct().ToArray();
            sb.Append("\nNo valid plan: every choice was cut before evaluation. ")
              .Append(string.Join("; ", reasons.Take(3))).Append(reasons.Length > 3 ? $"; and {reasons.Length - 3} more reasons (--out lists them)" : "").Append('\n');
            return sb.ToString();
        }
        if (r.Best is not { } best)
        {
            sb.Append("\nNo plan fits in memory.");
            var smallest = r.Evaluated.Where(e => e is not null).MinBy(e => e!.Metrics.PeakBytes);
            if (smallest is not null)
                sb.Append($" The smallest peak is {F(smallest.Metrics.PeakBytes / GiB, 1)} GiB ({Describe(smallest.Plan)}); capacity {F(q.Node.Gpu.Memory.GiB, 0)} GiB.");
            sb.Append(" More GPUs, a smaller micro-batch, recomputation or ZeRO may help.\n");
            return sb.ToString();
        }

        sb.Append('\n').Append(Ranked(r, top).Render(format == OutputFormat.Markdown ? OutputFormat.Markdown : OutputFormat.Table));

        int perNode = q.Node.GpusPerNode;
        var shown = r.Ranked.Take(top).Select(i => r.Evaluated[i]!).ToArray();
        int inside = shown.Count(e => e.Plan.Tp <= perNode);
        sb.Append($"\nTP inside a node: {inside} of the top {shown.Length} keep tp <= {perNode} (the GPUs of one {q.Node.Name} node on {q.Node.IntraNode.Kind}).\n");

        var b = sweeper.Detail(q, best);
        sb.Append($"Why {Describe(best.Plan)} wins: step {F(b.Time.Step.Value, 2)} s (compute {F(b.Time.Compute.Value, 2)} s, bubble {F(b.Time.Bubble.Value, 2)} s, ")
          .Append($"exposed comm {F(b.Time.ExposedComm.Value, 2)} s), peak {F(b.Memory.Peak.GiB, 1)} GiB. The best of each family it is not in:\n");
        if (format == OutputFormat.Markdown) sb.Append('\n');
        sb.Append(Rivals(r, sweeper, b).Render(format == OutputFormat.Markdown ? OutputFormat.Markdown : OutputFormat.Table));
        sb.Append(Assumptions(b, q.Node.IntraNode.Kind.ToString(), format == OutputFormat.Markdown));

        if (r.Pareto.Count > 1 && q.TokenBudget is double tokens)
        {
            var t = new TextTable($"Time to train {Sig(tokens / 1e9, 4)}B tokens by GPU count (front: no fewer GPUs train as fast)",
                "gpus", "best plan", "tokens/s", "days", "GPU-hours", q.PricePerGpuHour is null ? "cost" : "cost $", "front");
            foreach (var i in new[] { 0, 2, 3, 4, 5 }) t.RightAligned.Add(i);
            foreach (var p in r.Pareto)
                t.Add(N(p.Gpus), Describe(r.Evaluated[p.PlanIndex]!.Plan), N((long)p.TokensPerSecond), F(p.TimeToTrainSeconds / 86400, 1), N((long)p.GpuHours),
                    q.PricePerGpuHour is double price ? N((long)(p.GpuHours * price)) : "-", p.OnFront ? "yes" : "no");
            sb.Append('\n').Append(t.Render(format == OutputFormat.Markdown ? OutputFormat.Markdown : OutputFormat.Table));
        }
        return sb.ToString();
    }

    public static TextTable Ranked(SweepResult r, int top)
    {
        var q = r.Request;
        bool anySplit = r.Ranked.Take(top).Any(i => r.Evaluated[i]!.Plan.Split is { IsEven: false });
        var t = new TextTable($"Top {Math.Min(top, r.Ranked.Count)} of {N(r.Fitting)} fitting plans, by {ObjectiveNames.Name(q.Objective)}" +
            (anySplit ? " (pp*: first and last stage one layer fewer, the embedding and the loss counted as layers)" : ""),
            "#", "gpus", "tp", "pp", "dp", "cp", "vpp", "mb", "schedule", "zero", "recompute", "sp", "step s", "tokens/s", "MFU", "peak GiB", "bubble",
            q.Objective == Objective.Cost ? "$/1M tok" : "method");
        foreach (var i in new[] { 0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 13, 14, 15, 16 }) t.RightAligned.Add(i);
        int rank = 0;
        foreach (int i in r.Ranked.Take(top))
        {
            var e = r.Evaluated[i]!; var p = e.Plan; var mt = e.Metrics;
            t.Add((++rank).ToString(System.Globalization.CultureInfo.InvariantCulture), N(p.Gpus), N(p.Tp), N(p.Pp) + (p.Split is { IsEven: false } ? "*" : ""),
                N(p.Dp), N(p.Cp), N(p.Vpp), N(p.MicroBatch),
                ScheduleNames.Name(p.Schedule), N((int)p.Zero), ScheduleNames.Name(p.Recompute), p.SequenceParallel ? "on" : "off",
                F(mt.StepSeconds, 3), N((long)mt.TokensPerSecond), Pct(mt.Mfu), F(mt.PeakBytes / GiB, 1), Pct(mt.BubbleFraction),
                q.Objective == Objective.Cost ? F(r.Ranking.DollarsPerToken(mt, e.Gpus) * 1e6, 4) : e.Refined ? "refined" : "screened");
        }
        return t;
    }

    /// <summary>
    /// One row per rival family (families whose best is the same plan share a row): its best plan, how much
    /// slower it is and where the extra time goes, or why none of it fits.
    /// </summary>
    private static TextTable Rivals(SweepResult r, Sweeper sweeper, SimulationResult best)
    {
        var t = new TextTable("", "family", "its best plan", "step s", "vs best", "where the extra time goes", "peak GiB");
        foreach (var i in new[] { 2, 3, 5 }) t.RightAligned.Add(i);
        double usable = r.Request.Node.Gpu.Memory.GiB * (1 - r.Request.Headroom);
        foreach (var group in Families.Compare(r).GroupBy(c => c.BestIndex is int i ? $"plan {i}" : $"family {c.Family.Name}"))
        {
            var c = group.First();
            string names = string.Join(", ", group.Select(x => x.Family.Name));
            if (c.Evaluated == 0) { t.Add(names, r.Cancelled ? "none screened before the stop" : "none in the swept space (invalid or restricted away)", "-", "-", "-", "-"); continue; }
            if (c.BestIndex is not int idx)
            {
                t.Add(names, $"none of {N(c.Evaluated)} fits: smallest peak {F(c.SmallestPeakBytes / GiB, 1)} GiB > {F(usable, 1)} usable", "-", "-", "-", F(c.SmallestPeakBytes / GiB, 1));
                continue;
            }
            var e = r.Evaluated[idx]!;
            var o = sweeper.Detail(r.Request, e);
            var deltas = new (string What, double Seconds)[]
            {
                ("compute", o.Time.Compute.Value - best.Time.Compute.Value),
                ("bubble", o.Time.Bubble.Value - best.Time.Bubble.Value),
                ("exposed comm", o.Time.ExposedComm.Value - best.Time.ExposedComm.Value),
                ("optimizer", o.Time.Optimizer.Value - best.Time.Optimizer.Value),
            };
            var worse = deltas.Where(d => d.Seconds > 0.005 * best.Time.Step.Value).OrderByDescending(d => d.Seconds).Take(2)
                .Select(d => $"+{F(d.Seconds, 2)} s {d.What}").ToArray();
            t.Add(names, Describe(e.Plan), F(o.Time.Step.Value, 2), $"{F(o.Time.Step.Value / best.Time.Step.Value, 2)}x",
                worse.Length > 0 ? string.Join(", ", worse) : "about the same", F(o.Memory.Peak.GiB, 1));
        }
        return t;
    }

    /// <summary>The modelling choices the winner's time rests on, with their sizes, so a reader can judge them.</summary>
    private static string Assumptions(SimulationResult b, string intraLink, bool markdown)
    {
        var parts = new List<string>();
        var c = b.Costs;
        if (b.Time.TpComm.Value > 0) parts.Add($"TP collectives {F(b.Time.TpComm.Value, 2)} s per step on {intraLink}, not overlapped");
        if (c.DpComm.Value > 0)
            parts.Add($"DP gradient traffic {F(c.DpComm.Value, 2)} s, overlapped with the last backward except {F(Math.Max(0, c.DpComm.Value - c.DpOverlappable.Value), 2)} s");
        if (c.Zero3Comm.Value > 0)
            parts.Add(c.Zero3Exposed is { } z3
                ? $"ZeRO-3 parameter gathers and reduce-scatters {F(c.Zero3Comm.Value, 2)} s, layer by layer one layer ahead: {F(z3.Value, 2)} s exposed"
                : $"ZeRO-3 parameter gathers {F(c.Zero3Comm.Value, 2)} s, assumed hidden behind {F(b.Time.Compute.Value, 2)} s of compute except {F(Math.Max(0, c.Zero3Comm.Value - b.Time.Compute.Value), 2)} s");
        if (b.Time.PpComm.Value > 0) parts.Add($"pipeline sends {F(b.Time.PpComm.Value, 2)} s");
        // the kernels' speed: the stack's attention kernel and the GPU's GEMM curve, and where either is borrowed
        var st = c.Stack; var gpu = b.Cluster.Gpu;
        parts.Add($"kernels of stack {st.Name}: GEMMs at the {gpu.Name} curve (max {F(gpu.GemmEfficiency.Max * st.GemmDerate, 3)} of peak{(gpu.CurvesBorrowed ? $", scaled from a {gpu.CurvesMeasuredOn} measurement" : "")}), " +
            $"{Core.Stack.StackNames.Name(st.Attention)} attention{(st.Attention == Core.Stack.AttentionKernel.Unfused ? " as GEMMs and memory-bound softmax" : st.AttentionRates.Nearest(gpu.Generation) is { } near ? $" at its published {near.Generation} curve" : " at the GPU's own fitted curve")}");
        foreach (var w in b.Warnings) parts.Add("warning: " + w.Message);
        return parts.Count == 0 ? "" : (markdown ? "\n" : "") + "The winner's time rests on these modelling assumptions:\n" + string.Concat(parts.Select(x => $"  - {x}\n"));
    }

    /// <summary>A plan in one short phrase: tp4 pp8 dp32 vpp12 mb2 interleaved zero1 selective sp ("pp16 (first/last -1 layer)" for the uneven split).</summary>
    public static string Describe(ParallelPlan p) =>
        $"tp{p.Tp} pp{p.Pp}{(p.Split is { IsEven: false } ? " (first/last -1 layer)" : "")} dp{p.Dp}{(p.Cp > 1 ? $" cp{p.Cp}" : "")}{(p.Vpp > 1 ? $" vpp{p.Vpp}" : "")} mb{p.MicroBatch} {ScheduleNames.Name(p.Schedule)} " +
        $"zero{(int)p.Zero} {ScheduleNames.Name(p.Recompute)}{(p.SequenceParallel ? " sp" : "")}";

    private static string N(long v) => Fmt.N(v);
}
