using System.CommandLine;
using System.Globalization;
using ParallelSim.Readers;
using ParallelSim.Core.Parallelism;
using ParallelSim.Search;

namespace ParallelSim.Cli.Commands;

/// <summary>A bound sweep: the request for the planner and what the command does with the result.</summary>
public sealed record SweepSetup(SweepRequest Request, int Top, string? OutPath, string? Description);

/// <summary>
/// The sweep flags: simulate's model and cluster flags, the GPU counts and batch, a list per plan
/// dimension, ranking and output. A spec file (--spec) gives defaults that the flags override.
/// </summary>
public sealed class SweepOptions
{
    public readonly PlanOptions ModelAndCluster = new();
    public readonly Option<string?> Spec = new("--spec") { Description = "Sweep spec: a JSON file, or the name of one in configs/sweeps/ (flags override it)" };
    public readonly Option<string?> Gpus = new("--gpus") { Description = "GPU counts to sweep, e.g. 512,1024,2048 [default: 64]" };
    public readonly Option<int?> GlobalBatch = new("--global-batch") { Description = "Sequences per step [default: 64]" };
    public readonly Option<string?> Tp = new("--tp") { Description = "Tensor-parallel sizes to try, e.g. 1,2,4,8 [default: every divisor of the GPUs]" };
    public readonly Option<string?> Pp = new("--pp") { Description = "Pipeline-parallel sizes [default: every divisor]" };
    public readonly Option<string?> Dp = new("--dp") { Description = "Data-parallel sizes [default: what the GPUs leave]" };
    public readonly Option<string?> Cp = new("--cp") { Description = "Context-parallel sizes [default: every divisor]" };
    public readonly Option<string?> Vpp = new("--vpp") { Description = "Virtual stages per rank for interleaved [default: every divisor of layers / pp]; dualpipev runs with 2" };
    public readonly Option<string?> MicroBatch = new("--micro-batch") { Description = "Micro-batch sizes [default: every divisor of global batch / dp]" };
    public readonly Option<string?> Zero = new("--zero") { Description = "ZeRO stages, e.g. 0,1 [default: 0,1,2,3]" };
    public readonly Option<string?> Recompute = new("--recompute") { Description = "none,selective,full [default: all]" };
    public readonly Option<string?> Schedule = new("--schedule") { Description = "gpipe,1f1b,interleaved,zb-h1,zb-h2,dualpipev [default: all]" };
    public readonly Option<string?> SequenceParallel = new("--sequence-parallel") { Description = "false,true [default: both]" };
    public readonly Option<int?> MaxTpPerNode = new("--max-tp-per-node") { Description = "Largest TP to try, e.g. 8 keeps TP inside a DGX node [default: no limit]" };
    public readonly Option<int?> Top = new("--top") { Description = "Plans in the ranked table [default: 10]" };
    public readonly Option<string?> Objective = new("--objective") { Description = "step-time|tokens-per-second|mfu|cost [default: step-time]" };
    public readonly Option<double?> Price = new("--price-per-gpu-hour") { Description = "Dollars per GPU-hour, for --objective cost and the Pareto front" };
    public readonly Option<string?> Headroom = new("--headroom") { Description = "GPU memory kept free, as a fraction or a percentage (0.05 or 5%) [default: 5%]" };
    public readonly Option<int?> RefineTop = new("--refine-top") { Description = "Best screened plans re-run through the refining simulator [default: 20]" };
    public readonly Option<string?> Tokens = new("--tokens") { Description = "Token budget for the time-to-train Pareto front over several GPU counts [default: 300e9]" };
    public readonly Option<string?> Out = new("--out") { Description = "Write every plan and its status (ok, oom, invalid with reason) to FILE.csv or FILE.json" };

    public void AddTo(Command cmd)
    {
        foreach (var o in ModelAndCluster.ModelAndCluster) cmd.Options.Add(o);
        foreach (var o in new Option[] { Spec, Gpus, GlobalBatch, Tp, Pp, Dp, Cp, Vpp, MicroBatch, Zero, Recompute, Schedule, SequenceParallel,
                     MaxTpPerNode, Top, Objective, Price, Headroom, RefineTop, Tokens, Out })
            cmd.Options.Add(o);
    }

    /// <summary>Builds the sweep from the flags and the spec; throws <see cref="UserInputException"/> with every problem.</summary>
    public SweepSetup Bind(ParseResult r, Catalog catalog, SweepSpec? defaults = null)
    {
        string? specName = r.GetValue(Spec);
        var spec = specName is null ? defaults ?? new SweepSpec() : SweepSpec.Load(specName);
        var problems = new List<string>();
        T? Try<T>(Func<T> f) where T : class
        {
            try { return f(); } catch (UserInputException e) { problems.AddRange(e.Problems); return null; }
        }
        var model = Try(() => ModelAndCluster.BindModel(r, catalog, spec.Model));
        var node = Try(() => ModelAndCluster.BindNodeWithOverrides(r, catalog, spec.Cluster, spec.Gpu));
        var (precision, flash, costs) = ModelAndCluster.BindPolicy(r, catalog, problems, spec.Precision, spec.FlashAttention, spec.Stack);

        var gpus = Ints(r.GetValue(Gpus) ?? spec.Gpus ?? "64", "--gpus", problems);
        int globalBatch = r.GetValue(GlobalBatch) ?? spec.GlobalBatch ?? 64;
        if (globalBatch < 1) problems.Add($"--global-batch must be at least 1 (got {globalBatch})");
        var dims = new SweepDimensions
        {
            Tp = OptInts(r.GetValue(Tp) ?? spec.Tp, "--tp", problems),
            Pp = OptInts(r.GetValue(Pp) ?? spec.Pp, "--pp", problems),
            Dp = OptInts(r.GetValue(Dp) ?? spec.Dp, "--dp", problems),
            Cp = OptInts(r.GetValue(Cp) ?? spec.Cp, "--cp", problems),
            Vpp = OptInts(r.GetValue(Vpp) ?? spec.Vpp, "--vpp", problems),
            MicroBatch = OptInts(r.GetValue(MicroBatch) ?? spec.MicroBatch, "--micro-batch", problems),
            Zero = Names(r.GetValue(Zero) ?? spec.Zero, "--zero", ZeroNames, problems),
            Recompute = Names(r.GetValue(Recompute) ?? spec.Recompute, "--recompute", ScheduleNames.Recompute, problems),
            Schedule = Names(r.GetValue(Schedule) ?? spec.Schedule, "--schedule", ScheduleNames.Schedules, problems),
            SequenceParallel = Names(r.GetValue(SequenceParallel) ?? spec.SequenceParallel, "--sequence-parallel", BoolNames, problems),
            MaxTp = r.GetValue(MaxTpPerNode) ?? spec.MaxTpPerNode,
        };
        if (dims.MaxTp is < 1) problems.Add($"--max-tp-per-node must be at least 1 (got {dims.MaxTp})");
        // the stack's framework decides which ZeRO stages and schedules exist: an open dimension takes the stack's list
        var st = costs.Stack;
        dims = dims with
        {
            Zero = dims.Zero ?? st.ZeroStages, Schedule = dims.Schedule ?? st.Schedules, Recompute = dims.Recompute ?? st.RecomputeModes,
            Tp = dims.Tp ?? (st.Ships("tp") ? null : [1]), Pp = dims.Pp ?? (st.Ships("pp") ? null : [1]), Cp = dims.Cp ?? (st.Ships("cp") ? null : [1]),
            SequenceParallel = dims.SequenceParallel ?? (st.Ships("sp") ? null : [false]),
        };

        int top = r.GetValue(Top) ?? spec.Top ?? 10;
        if (top < 1) problems.Add($"--top must be at least 1 (got {top})");
        int refineTop = r.GetValue(RefineTop) ?? spec.RefineTop ?? 20;
        if (refineTop < 0) problems.Add($"--refine-top must be at least 0 (got {refineTop})");
        var objective = Lookup(ObjectiveNames.All, r.GetValue(Objective) ?? spec.Objective ?? "step-time", "--objective", problems);
        double? price = r.GetValue(Price) ?? spec.PricePerGpuHour;
        if (price is <= 0 || price is double pr && !double.IsFinite(pr)) problems.Add($"--price-per-gpu-hour must be a positive number (got {Num(price!.Value)})");
        if (objective == Search.Objective.Cost && price is null) problems.Add("--objective cost needs --price-per-gpu-hour");
        double headroom = ParseHeadroom(r.GetValue(Headroom) ?? spec.Headroom ?? "0.05", problems);
        double? tokens = null;
        if ((r.GetValue(Tokens) ?? spec.Tokens) is string tk)
        {
            if (double.TryParse(tk, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && t > 0 && double.IsFinite(t)) tokens = t;
            else problems.Add($"--tokens '{tk}' must be a positive number such as 300e9");
        }
        // several GPU counts: show the time-to-train front for GPT-3's 300B tokens (arXiv:2005.14165 §2.2) unless told otherwise
        if (tokens is null && gpus.Count > 1) tokens = 300e9;
        string? outPath = r.GetValue(Out);
        if (outPath is not null && !(outPath.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || outPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
            problems.Add($"--out '{outPath}' must end in .csv or .json");

        if (problems.Count > 0 || model is null || node is null) throw new UserInputException(problems);
        var request = new SweepRequest(model, node, gpus, new PlanFixed(globalBatch, precision, flash))
        {
            Dimensions = dims, Costs = costs, Headroom = headroom, Objective = objective, PricePerGpuHour = price,
            RefineTop = refineTop, TokenBudget = tokens,
        };
        return new SweepSetup(request, top, outPath, spec.Description);
    }

    private static readonly IReadOnlyDictionary<string, ZeroStage> ZeroNames = new Dictionary<string, ZeroStage>
    {
        ["0"] = ZeroStage.None, ["1"] = ZeroStage.OptimizerStates, ["2"] = ZeroStage.Gradients, ["3"] = ZeroStage.Parameters,
    };
    private static readonly IReadOnlyDictionary<string, bool> BoolNames = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase)
    {
        ["false"] = false, ["true"] = true,
    };

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static IReadOnlyList<int> Ints(string text, string flag, List<string> problems)
    {
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 1) { if (!list.Contains(v)) list.Add(v); }
            else problems.Add($"{flag} '{part}' must be a whole number of at least 1 (in a comma-separated list such as 1,2,4,8)");
        }
        return list;
    }

    private static IReadOnlyList<int>? OptInts(string? text, string flag, List<string> problems) => text is null ? null : Ints(text, flag, problems);

    private static IReadOnlyList<T>? Names<T>(string? text, string flag, IReadOnlyDictionary<string, T> table, List<string> problems) where T : struct
    {
        if (text is null) return null;
        var list = new List<T>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (table.TryGetValue(part, out var v)) { if (!list.Contains(v)) list.Add(v); }
            else problems.Add($"{flag} '{part}' is not valid (valid: {string.Join(", ", table.Keys)})");
        }
        return list;
    }

    private static T Lookup<T>(IReadOnlyDictionary<string, T> table, string value, string flag, List<string> problems) where T : struct
    {
        if (table.TryGetValue(value, out var v)) return v;
        problems.Add($"{flag} '{value}' is not valid (valid: {string.Join(", ", table.Keys)})");
        return table.Values.First();
    }

    /// <summary>"0.05" or "5%": the fraction of memory kept free, in [0, 1).</summary>
    private static double ParseHeadroom(string text, List<string> problems)
    {
        bool pct = text.EndsWith('%');
        if (double.TryParse(pct ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
        {
            double f = pct ? v / 100 : v;
            if (f >= 0 && f < 1) return f;
        }
        problems.Add($"--headroom '{text}' must be a fraction in [0, 1) or a percentage such as 5%");
        return 0.05;
    }
}
