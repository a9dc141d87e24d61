using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Explain;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// `parallelsim explain TOPIC`: the number an interview question asks for, with every formula, value and
/// source. The derivations live in Core/Explain and call the same cost formulas as `simulate`.
/// </summary>
public static class ExplainCommand
{
    public static readonly string[] Topics = ["memory", "flops", "mfu", "train-time", "bubble", "comm", "initial-loss", "min-gpus"];

    public static Command Create()
    {
        var plan = new PlanOptions();
        ExplainBinding.ApplyDefaults(plan);
        var topic = new Argument<string>("topic") { Description = string.Join("|", Topics) };
        topic.AcceptOnlyFromAmong(Topics);
        var format = new Option<string>("--format") { Description = "table|json", DefaultValueFactory = _ => "table" };
        var initStd = new Option<double?>("--init-std") { Description = "initial-loss: std of the output (or tied embedding) weights [default: 0.02]" };
        var finalNorm = new Option<string?>("--final-norm") { Description = "initial-loss: a final LayerNorm/RMSNorm before the output layer (true|false) [default: true]" };
        var parameters = new Option<string?>("--params") { Description = "train-time: parameters (175e9, 175B) [default: the model's]" };
        var tokens = new Option<string?>("--tokens") { Description = "train-time: training tokens (300e9, 300B)" };
        var tflops = new Option<double?>("--tflops-per-gpu") { Description = "train-time: achieved TFLOP/s per GPU, counting recomputation (Megatron's X)" };
        var mfu = new Option<double?>("--mfu") { Description = "train-time, mfu: model FLOPs utilisation, 0..1 (mfu: gives tokens/s and step time)" };
        var price = new Option<double?>("--price-per-gpu-hour") { Description = "train-time: price of one GPU-hour (USD)" };
        var stepSeconds = new Option<double?>("--step-seconds") { Description = "mfu: measured step time (s) for --global-batch sequences" };
        var tokensPerSecond = new Option<double?>("--tokens-per-second") { Description = "mfu: measured tokens per second of the whole cluster" };
        var microBatches = new Option<int?>("--micro-batches") { Description = "bubble: micro-batches per step m [default: global / (micro x dp)]" };
        var loraRank = new Option<int?>("--lora-rank") { Description = "memory: LoRA fine-tuning with adapters of this rank" };
        var loraTargets = new Option<string?>("--lora-targets") { Description = "memory: adapted matrices, comma list of q,k,v,o,gate,up,down or attn|mlp|all [default: q,v]" };
        var qlora = new Option<bool>("--qlora") { Description = "memory: QLoRA, frozen base in 4-bit NF4 (implies --lora-rank 16 if none given)" };

        var cmd = new Command("explain", "Answer a question with its derivation: formulas, values substituted, sources. "
            + "Plan defaults here: tp 1, pp 1, one replica (dp 1) unless --gpus or --dp")
        { topic, format, initStd, finalNorm, parameters, tokens, tflops, mfu, price, stepSeconds, tokensPerSecond, microBatches, loraRank, loraTargets, qlora };
        plan.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var fmt = (r.GetValue(format) ?? "table").ToLowerInvariant() switch
            {
                "table" => OutputFormat.Table,
                "json" => OutputFormat.Json,
                var f => throw new UserInputException($"--format '{f}' is not valid for explain (valid: table, json)"),
            };
            var catalog = Catalog.Default;
            var problems = new List<string>();
            Explanation e = r.GetValue(topic) switch
            {
                "initial-loss" => InitialLoss(r, plan, catalog, r.GetValue(initStd), r.GetValue(finalNorm)),
                "train-time" => TrainTime(r, plan, catalog, CountParser.Parse(r.GetValue(parameters), "--params", problems),
                    CountParser.Parse(r.GetValue(tokens), "--tokens", problems), r.GetValue(tflops), r.GetValue(mfu), r.GetValue(price), problems),
                "flops" => FlopsExplainer.Explain(ExplainBinding.Model(r, plan, catalog), GlobalBatch(r, plan), Recompute(r, plan, "selective")),
                "mfu" => Mfu(r, plan, catalog, r.GetValue(stepSeconds), r.GetValue(tokensPerSecond), r.GetValue(mfu)),
                "bubble" => Bubble(r, plan, catalog, r.GetValue(microBatches)),
                "comm" => Comm(plan.Bind(r, catalog)),
                "min-gpus" => MinGpus(plan.Bind(r, catalog)),
                _ => Memory(plan.Bind(r, catalog), Lora(r.GetValue(loraRank), r.GetValue(loraTargets), r.GetValue(qlora))),
            };
            r.InvocationConfiguration.Output.Write(ExplanationReport.Render(e, fmt));
            return 0;
        });
        return cmd;
    }

    private static Explanation InitialLoss(ParseResult r, PlanOptions plan, Catalog catalog, double? std, string? finalNorm)
    {
        var problems = new List<string>();
        if (std is <= 0 or > 10 || std is double d && !double.IsFinite(d)) problems.Add($"--init-std must be in (0, 10] (got {std})");
        bool norm = true;
        if (finalNorm is not null && !bool.TryParse(finalNorm, out norm)) problems.Add($"--final-norm '{finalNorm}' is not valid (valid: true, false)");
        var m = TryModel(r, plan, catalog, problems);
        if (problems.Count > 0 || m is null) throw new UserInputException(problems);
        return InitialLossExplainer.Explain(new InitialLossInput(r.GetValue(plan.Hidden) is null ? $"hidden of {m.Name}; set --hidden or --model" : "--hidden", m.Vocab, m.Hidden, std ?? 0.02, m.TiedEmbeddings, norm, m.Arch == Core.Models.Architecture.Gpt));
    }

    private static Explanation TrainTime(ParseResult r, PlanOptions plan, Catalog catalog, double? parameters, double? tokens, double? tflops, double? mfu,
        double? price, List<string> problems)
    {
        if (tokens is null && !problems.Any(p => p.StartsWith("--tokens", StringComparison.Ordinal))) problems.Add("train-time needs --tokens (e.g. 300B)");
        if (tflops is <= 0) problems.Add($"--tflops-per-gpu must be positive (got {tflops})");
        if (mfu is <= 0 or > 1) problems.Add($"--mfu must be in (0, 1] (got {mfu})");
        if (price is < 0) problems.Add($"--price-per-gpu-hour must not be negative (got {price})");
        if (tflops is not null && mfu is not null) problems.Add("give --tflops-per-gpu or --mfu, not both");
        int gpus = r.GetValue(plan.Gpus) ?? 1;
        if (gpus < 1) problems.Add($"--gpus must be at least 1 (got {gpus})");
        bool full = (r.GetValue(plan.Recompute) ?? "full").ToLowerInvariant() switch
        {
            "full" => true, "none" or "selective" => false,
            var x => AddProblem(problems, $"--recompute '{x}' is not valid (valid: none, selective, full)"),
        };
        if (problems.Count > 0) throw new UserInputException(problems);

        double? peak = null; string rateSource = "given";
        if (tflops is null)
        {
            if (mfu is not null) { peak = ExplainBinding.Node(r, plan, catalog).Gpu.PeakBf16.Value; rateSource = "given MFU"; }
            else
            {
                // no rate given: simulate the plan and use its MFU
                var input = plan.Bind(r, catalog);
                var sim = Evaluator.Evaluate(input.Model, input.Cluster, input.Plan, input.Costs);
                mfu = sim.Throughput.Mfu; peak = input.Cluster.Gpu.PeakBf16.Value; gpus = input.Cluster.Gpus;
                rateSource = $"simulated MFU of {input.Model.Name}, tp {input.Plan.Tp} pp {input.Plan.Pp} dp {input.Plan.Dp}"
                    + (sim.Memory.Fits ? "" : $"; WARNING: this plan does not fit in memory ({Fmt.F(sim.Memory.Peak.GiB, 1)} GiB > {Fmt.F(sim.Memory.Capacity.GiB, 1)} GiB)");
                parameters ??= input.Model.Parameters;
            }
        }
        parameters ??= ExplainBinding.Model(r, plan, catalog).Parameters;
        return TrainTimeExplainer.Explain(new TrainTimeInput(parameters.Value, tokens!.Value, gpus, tflops * 1e12, mfu, peak, full, price, rateSource));
    }

    private static Explanation Mfu(ParseResult r, PlanOptions plan, Catalog catalog, double? step, double? tps, double? mfu)
    {
        var problems = new List<string>();
        int given = new object?[] { step, tps, mfu }.Count(x => x is not null);
        if (given != 1) problems.Add("mfu needs exactly one of --step-seconds, --tokens-per-second or --mfu (the reverse)");
        if (step is <= 0) problems.Add($"--step-seconds must be positive (got {step})");
        if (tps is <= 0) problems.Add($"--tokens-per-second must be positive (got {tps})");
        if (mfu is <= 0 or > 1) problems.Add($"--mfu must be in (0, 1] (got {mfu})");
        int gpus = r.GetValue(plan.Gpus) ?? 1;
        if (gpus < 1) problems.Add($"--gpus must be at least 1 (got {gpus})");
        var m = TryModel(r, plan, catalog, problems);
        var recompute = Recompute(r, plan, "selective");
        int global = GlobalBatch(r, plan);
        if (problems.Count > 0 || m is null) throw new UserInputException(problems);
        var gpu = ExplainBinding.Node(r, plan, catalog).Gpu;
        return MfuExplainer.Explain(new MfuInput(m, gpus, gpu.PeakBf16.Value, gpu.Name, global, recompute, step, tps, mfu));
    }

    private static Explanation Bubble(ParseResult r, PlanOptions plan, Catalog catalog, int? microBatches)
    {
        bool dualPipeV = string.Equals(r.GetValue(plan.Schedule), ScheduleNames.Name(ScheduleKind.DualPipeV), StringComparison.OrdinalIgnoreCase);
        int p = r.GetValue(plan.Pp) ?? 1, v = r.GetValue(plan.Vpp) ?? (dualPipeV ? 2 : 1);
        var problems = new List<string>();
        if (p < 1) problems.Add($"--pp must be at least 1 (got {p})");
        if (v < 1) problems.Add($"--vpp must be at least 1 (got {v})");
        if (microBatches is < 1) problems.Add($"--micro-batches must be at least 1 (got {microBatches})");
        string scheduleName = r.GetValue(plan.Schedule) ?? (v > 1 ? "interleaved" : "1f1b");
        if (!ScheduleNames.Schedules.TryGetValue(scheduleName, out var schedule))
            problems.Add($"--schedule '{scheduleName}' is not valid (valid: {string.Join(", ", ScheduleNames.Schedules.Keys)})");
        if (problems.Count > 0) throw new UserInputException(problems);

        // the time cost needs a plan that binds; the fractions do not
        double? slot = null, weight = null; (double, double, double)? lightest = null; int m;
        try
        {
            var input = plan.Bind(r, catalog);
            var sim = Evaluator.Evaluate(input.Model, input.Cluster, input.Plan, input.Costs);
            int chunks = PipelineChunks.PerRank(input.Plan);
            // the slot of the closed-form pipeline: slowest stage forward + backward, plus its sends unless overlapped
            var slowest = sim.Costs.Stages.MaxBy(st => (st.Forward + st.Backward).Value)!;
            slot = (slowest.Forward + slowest.Backward).Value + (input.Costs.OverlapP2P ? 0 : 2 * chunks * sim.Costs.P2PTransfer.Value);
            weight = slowest.BackwardWeight.Value;
            // DualPipeV's bubble needs a chunk's forward, input backward and weight pass apart: the lightest chunk's
            var (lf, li, lw) = DualPipeVClosedForm.LightestChunk(sim.Costs, input.Costs.OverlapP2P);
            lightest = (lf.Value, li.Value, lw.Value);
            // and the busiest rank's slot with the sends it makes (two at the V's ends, four elsewhere)
            if (input.Plan.Schedule == ScheduleKind.DualPipeV) slot = DualPipeVClosedForm.BusiestSlot(sim.Costs, input.Costs.OverlapP2P).Value;
            m = microBatches ?? input.Plan.MicroBatches;
        }
        catch (UserInputException)
        {
            int dp = r.GetValue(plan.Dp) ?? 1, micro = r.GetValue(plan.MicroBatch) ?? 1;
            m = microBatches ?? Math.Max(1, GlobalBatch(r, plan) / Math.Max(1, micro * dp));
        }
        return BubbleExplainer.Explain(new BubbleInput(p, m, v, schedule, slot, weight, lightest));
    }

    private static Explanation Memory(SimulationInput input, LoraSettings? lora) =>
        MemoryExplainer.Explain(Evaluator.Evaluate(input.Model, input.Cluster, input.Plan, input.Costs), input.Costs, lora);

    private static Explanation Comm(SimulationInput input) =>
        CommExplainer.Explain(Evaluator.Evaluate(input.Model, input.Cluster, input.Plan, input.Costs), input.Costs);

    private static Explanation MinGpus(SimulationInput input) => MinGpusExplainer.Explain(input.Model, input.Cluster.Node, input.Plan, input.Costs);

    private static LoraSettings? Lora(int? rank, string? targets, bool qlora)
    {
        if (rank is null && targets is null && !qlora) return null;
        var problems = new List<string>();
        if (rank is < 1) problems.Add($"--lora-rank must be at least 1 (got {rank})");
        var list = new List<LoraTarget>();
        foreach (var t in (targets ?? "q,v").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (t.ToLowerInvariant())
            {
                case "attn": list.AddRange([LoraTarget.Q, LoraTarget.K, LoraTarget.V, LoraTarget.O]); break;
                case "mlp": list.AddRange([LoraTarget.Gate, LoraTarget.Up, LoraTarget.Down]); break;
                case "all": list.AddRange(Enum.GetValues<LoraTarget>()); break;
                default:
                    if (Enum.TryParse<LoraTarget>(t, ignoreCase: true, out var one) && !int.TryParse(t, out _)) list.Add(one);
                    else problems.Add($"--lora-targets '{t}' is not valid (valid: q, k, v, o, gate, up, down, attn, mlp, all)");
                    break;
            }
        }
        if (problems.Count > 0) throw new UserInputException(problems);
        return new LoraSettings(rank ?? 16, list.Distinct().ToArray(), qlora);
    }

    private static Core.Models.ModelSpec? TryModel(ParseResult r, PlanOptions plan, Catalog catalog, List<string> problems)
    {
        try { return ExplainBinding.Model(r, plan, catalog); }
        catch (UserInputException e) { problems.AddRange(e.Problems); return null; }
    }

    private static int GlobalBatch(ParseResult r, PlanOptions plan)
    {
        int g = r.GetValue(plan.GlobalBatch) ?? 64;
        return g >= 1 ? g : throw new UserInputException($"--global-batch must be at least 1 (got {g})");
    }

    private static RecomputeMode Recompute(ParseResult r, PlanOptions plan, string fallback)
    {
        string v = r.GetValue(plan.Recompute) ?? fallback;
        return ScheduleNames.Recompute.TryGetValue(v, out var mode) ? mode
            : throw new UserInputException($"--recompute '{v}' is not valid (valid: {string.Join(", ", ScheduleNames.Recompute.Keys)})");
    }

    private static bool AddProblem(List<string> problems, string p) { problems.Add(p); return false; }
}
