using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Cli.Commands;

/// <summary>What the model, cluster and plan flags describe, after defaults and checks.</summary>
public sealed record SimulationInput(ModelSpec Model, ClusterSpec Cluster, ParallelPlan Plan, CostOptions Costs);

/// <summary>
/// The model, cluster and plan flags shared by simulate and the commands after it. Defaults form
/// Megatron's GPT-3 175B plan on 64 A100-SXM-80GB: tp 8, pp 8, micro-batch 1, global batch 64, 1F1B,
/// selective recompute with sequence parallelism, flash attention.
/// </summary>
public sealed class PlanOptions
{
    public const string DefaultModel = "gpt3-175b";
    public const string DefaultCluster = "dgx-a100";
    public const int DefaultGpus = 64;

    public readonly Option<string?> Model = new("--model") { Description = "Catalog name, ParallelSim model JSON, or Hugging Face config.json [default: gpt3-175b]" };
    public readonly Option<string?> Arch = new("--arch") { Description = "gpt|llama" };
    public readonly Option<int?> Layers = new("--layers") { Description = "Transformer layers" };
    public readonly Option<int?> Hidden = new("--hidden") { Description = "Hidden size" };
    public readonly Option<int?> Heads = new("--heads") { Description = "Attention heads" };
    public readonly Option<int?> KvHeads = new("--kv-heads") { Description = "Key/value heads (grouped-query attention)" };
    public readonly Option<int?> FfnHidden = new("--ffn-hidden") { Description = "MLP hidden size" };
    public readonly Option<int?> Vocab = new("--vocab") { Description = "Vocabulary size" };
    public readonly Option<int?> SeqLength = new("--seq-length") { Description = "Sequence length (tokens)" };
    public readonly Option<string?> TiedEmbeddings = new("--tied-embeddings") { Description = "Tie input and output embeddings (true|false)" };
    public readonly Option<string?> Gpu = new("--gpu") { Description = "GPU type; alone it picks that GPU's usual node type" };
    public readonly Option<string?> Cluster = new("--cluster") { Description = "Node type [default: dgx-a100]" };
    public readonly Option<int?> Gpus = new("--gpus") { Description = "Total GPUs [default: tp x pp x dp x cp, or 64]" };
    public readonly Option<int?> GpusPerNode = new("--gpus-per-node") { Description = "GPUs per node [default: the node type's]" };
    public readonly Option<int?> Tp = new("--tp") { Description = "Tensor-parallel size [default: 8]" };
    public readonly Option<int?> Pp = new("--pp") { Description = "Pipeline-parallel size [default: 8]" };
    public readonly Option<int?> Dp = new("--dp") { Description = "Data-parallel size [default: GPUs / (tp x pp x cp)]" };
    public readonly Option<int?> Cp = new("--cp") { Description = "Context-parallel size [default: 1]" };
    public readonly Option<int?> Vpp = new("--vpp") { Description = "Virtual pipeline stages per rank (interleaved; dualpipev needs 2) [default: 1, 2 with dualpipev]" };
    public readonly Option<int?> FirstStageLayers = new("--first-stage-layers") { Description = "Layers on the first pipeline stage, the rest split evenly over the middle stages (Megatron --decoder-first-pipeline-num-layers) [default: even split]" };
    public readonly Option<int?> LastStageLayers = new("--last-stage-layers") { Description = "Layers on the last pipeline stage (Megatron --decoder-last-pipeline-num-layers) [default: even split]" };
    public readonly Option<string?> EmbeddingAsLayer = new("--embedding-as-layer") { Description = "Count the embedding as a layer in the even split: the very first (virtual) stage holds one layer fewer (Megatron --account-for-embedding-in-pipeline-split; true|false) [default: false]" };
    public readonly Option<string?> LossAsLayer = new("--loss-as-layer") { Description = "Count the loss as a layer in the even split: the very last (virtual) stage holds one layer fewer (Megatron --account-for-loss-in-pipeline-split; true|false) [default: false]" };
    public readonly Option<int?> MicroBatch = new("--micro-batch") { Description = "Sequences per micro-batch [default: 1]" };
    public readonly Option<int?> GlobalBatch = new("--global-batch") { Description = "Sequences per step [default: 64]" };
    public readonly Option<int?> Zero = new("--zero") { Description = "ZeRO stage 0|1|2|3 [default: 0]" };
    public readonly Option<string?> Recompute = new("--recompute") { Description = "none|selective|full [default: selective]" };
    public readonly Option<string?> SequenceParallel = new("--sequence-parallel") { Description = "Sequence parallelism (true|false) [default: true]" };
    public readonly Option<string?> Schedule = new("--schedule") { Description = "gpipe|1f1b|interleaved|zb-h1|zb-h2|dualpipev [default: 1f1b]" };
    public readonly Option<string?> ScheduleFile = new(Readers.ScheduleFile.Flag) { Description = "Run this schedule instead of a generated one: CSV, one row of actions per rank (0F0,0F1,0B0,...), or a shipped name (1f1b-p4-m8)" };
    public readonly Option<string?> Precision = new("--precision") { Description = "megatron|zero|torch-amp|bf16|fp16: bookkeeping and GEMM dtype. megatron: bf16 with fp32 main grads and Adam (18 B/param); zero: the ZeRO paper's 16 B/param; torch-amp: fp32 params under autocast; bf16: pure bf16, params, grads and Adam (8 B/param); fp16: megatron's bytes with fp16 GEMMs [default: the stack's]" };
    public readonly Option<string?> FlashAttention = new("--flash-attention") { Description = "Alias of --attention: true keeps the stack's fused kernel (flash2 if it has none), false is unfused [default: the stack's]" };
    public readonly Option<string?> Dropout = new("--dropout") { Description = "Dropout on: masks are stored (yes|no) [default: the stack's, no]" };
    public readonly Option<string?> OverlapGradReduce = new("--overlap-grad-reduce") { Description = "Overlap DP gradient reduction with the last backward (true|false) [default: the stack's overlap]" };
    public readonly StackOptions StackFlags = new();

    public IEnumerable<Option> All => [Model, Arch, Layers, Hidden, Heads, KvHeads, FfnHidden, Vocab, SeqLength, TiedEmbeddings,
        Gpu, Cluster, Gpus, GpusPerNode, Tp, Pp, Dp, Cp, Vpp, FirstStageLayers, LastStageLayers, EmbeddingAsLayer, LossAsLayer,
        MicroBatch, GlobalBatch, Zero, Recompute, SequenceParallel, Schedule, Precision, FlashAttention, Dropout, OverlapGradReduce, .. StackFlags.All];

    /// <summary>The flags that describe the model, the node type and the policy, without the plan's sizes (for sweeps).</summary>
    public IEnumerable<Option> ModelAndCluster => [Model, Arch, Layers, Hidden, Heads, KvHeads, FfnHidden, Vocab, SeqLength, TiedEmbeddings,
        Gpu, Cluster, GpusPerNode, Precision, FlashAttention, Dropout, OverlapGradReduce, .. StackFlags.All];

    /// <summary>
    /// The --schedule-file, loaded and validated, or null when not given. The file decides the schedule and the
    /// chunks per rank, so (when <paramref name="exclusive"/>) --schedule and --vpp are not allowed with it.
    /// </summary>
    public ScheduleFileInput? BindScheduleFile(ParseResult r, bool exclusive = true)
    {
        if (r.GetValue(ScheduleFile) is not string path) return null;
        var problems = new List<string>();
        if (exclusive && r.GetValue(Schedule) is not null) problems.Add($"{Readers.ScheduleFile.Flag} decides the schedule: leave out --schedule");
        if (exclusive && r.GetValue(Vpp) is not null) problems.Add($"{Readers.ScheduleFile.Flag} decides the chunks per rank (stages / ranks): leave out --vpp");
        if (problems.Count > 0) throw new UserInputException(problems);
        return Readers.ScheduleFile.Load(path);
    }

    public void AddTo(Command command)
    {
        foreach (var o in All)
        {
            command.Options.Add(o);
        }
    }

    /// <summary>
    /// Builds the input from the parsed flags; throws <see cref="UserInputException"/> with every problem.
    /// <paramref name="adjust"/> lets a command derive plan fields (e.g. the global batch) before validation.
    /// </summary>
    public SimulationInput Bind(ParseResult r, Catalog catalog, Func<ParallelPlan, ParallelPlan>? adjust = null)
    {
        var problems = new List<string>();
        T? Try<T>(Func<T> f) where T : class
        {
            try { return f(); } catch (UserInputException e) { problems.AddRange(e.Problems); return null; }
        }

        var model = Try(() => BindModel(r, catalog));
        var node = Try(() => BindNode(r, catalog));

        // DualPipeV's V is two chunks per rank: its vpp defaults to 2
        bool dualPipeV = string.Equals(r.GetValue(Schedule), ScheduleNames.Name(ScheduleKind.DualPipeV), StringComparison.OrdinalIgnoreCase);
        int tp = r.GetValue(Tp) ?? 8, pp = r.GetValue(Pp) ?? 8, cp = r.GetValue(Cp) ?? 1, vpp = r.GetValue(Vpp) ?? (dualPipeV ? 2 : 1);
        int? dpFlag = r.GetValue(Dp), gpusFlag = r.GetValue(Gpus);
        foreach (var (name, value) in new[] { ("--tp", tp), ("--pp", pp), ("--cp", cp), ("--vpp", vpp) })
            if (value < 1) problems.Add($"{name} must be at least 1 (got {value})");
        if (dpFlag is < 1) problems.Add($"--dp must be at least 1 (got {dpFlag})");
        if (gpusFlag is < 1) problems.Add($"--gpus must be at least 1 (got {gpusFlag})");
        long modelParallel = (long)Math.Max(1, tp) * Math.Max(1, pp) * Math.Max(1, cp);
        int gpus, dp;
        if (dpFlag is int d && d >= 1) { dp = d; gpus = gpusFlag ?? (int)Math.Min(int.MaxValue, modelParallel * d); }
        else
        {
            gpus = gpusFlag is int g && g >= 1 ? g : DefaultGpus;
            dp = (int)Math.Max(1, gpus / modelParallel);
            if (gpus % modelParallel != 0)
                problems.Add($"--gpus ({gpus}) must be divisible by tp x pp x cp ({tp} x {pp} x {cp} = {modelParallel}) to derive dp");
        }

        var zeroValue = r.GetValue(Zero) ?? 0;
        if (zeroValue is < 0 or > 3) problems.Add($"--zero must be 0, 1, 2 or 3 (got {zeroValue})");
        var recompute = Lookup(ScheduleNames.Recompute, r.GetValue(Recompute) ?? "selective", "--recompute", problems);
        var schedule = Lookup(ScheduleNames.Schedules, r.GetValue(Schedule) ?? (vpp > 1 ? "interleaved" : "1f1b"), "--schedule", problems);
        var (precision, flash, costs) = BindPolicy(r, catalog, problems);
        int micro = r.GetValue(MicroBatch) ?? 1, global = r.GetValue(GlobalBatch) ?? 64;

        var plan = new ParallelPlan(tp, pp, dp, cp, vpp, micro, global, (ZeroStage)Math.Clamp(zeroValue, 0, 3), recompute,
            Flag(r, SequenceParallel, problems) ?? tp > 1, schedule, precision, flash, BindSplit(r, problems));
        if (adjust is not null) plan = adjust(plan);

        if (node is not null && r.GetValue(GpusPerNode) is int perNode)
        {
            if (perNode < 1) problems.Add($"--gpus-per-node must be at least 1 (got {perNode})");
            else node = node with { GpusPerNode = perNode };
        }
        if (model is not null && node is not null)
        {
            var cluster = new ClusterSpec(node, gpus);
            bool gpuCountReported = problems.Any(p => p.StartsWith("--gpus", StringComparison.Ordinal));
            // an unknown --schedule leaves no schedule to check vpp against
            bool scheduleReported = problems.Any(p => p.StartsWith("--schedule", StringComparison.Ordinal));
            problems.AddRange(PlanValidator.Validate(model, cluster, plan)
                .Where(i => i.Severity == Severity.Error && !(gpuCountReported && i.Message.StartsWith("tp x pp x dp x cp", StringComparison.Ordinal))
                    && !(scheduleReported && i.Message.StartsWith("vpp (", StringComparison.Ordinal)))
                .Select(i => i.Message).Where(m => !problems.Any(p => p.EndsWith(m, StringComparison.Ordinal) || m.EndsWith(p.TrimStart('-'), StringComparison.Ordinal))));
            if (problems.Count == 0) return new SimulationInput(model, cluster, plan, costs);
        }
        throw new UserInputException(problems);
    }

    /// <summary>
    /// The layer split of --first-stage-layers, --last-stage-layers, --embedding-as-layer and --loss-as-layer; null (even) when
    /// none is given. Its rules are checked with the plan (<see cref="StageLayers.Problems"/>).
    /// </summary>
    public LayerSplit? BindSplit(ParseResult r, List<string> problems)
    {
        int? first = r.GetValue(FirstStageLayers), last = r.GetValue(LastStageLayers);
        bool? embedding = Flag(r, EmbeddingAsLayer, problems), loss = Flag(r, LossAsLayer, problems);
        var split = new LayerSplit(first, last, embedding ?? false, loss ?? false);
        return split.IsEven ? null : split;
    }

    /// <summary>
    /// The stack (--stack and its part flags), then precision, flash attention, dropout and gradient-reduce overlap over it; the
    /// plan takes the precision and flash attention, the cost options the stack. Problems are added to the list.
    /// <paramref name="defaults"/> (a sweep spec's) stand where a flag is absent.
    /// </summary>
    public (PrecisionPolicy Precision, bool FlashAttention, CostOptions Costs) BindPolicy(ParseResult r, Catalog catalog, List<string> problems,
        string? defaultPrecision = null, bool? defaultFlash = null, string? defaultStack = null)
    {
        var stack = StackFlags.Bind(r, catalog, problems, defaultStack);
        // an alias and its flag, or a part and its narrower flag, that disagree: say so rather than pick one
        if (r.GetValue(FlashAttention) is string fa && r.GetValue(StackFlags.Attention) is string at && Readers.YesNo.Parse(fa) is bool f
            && Core.Stack.StackNames.Attention.TryGetValue(at, out var kernel) && f != (kernel != Core.Stack.AttentionKernel.Unfused))
            problems.Add($"--flash-attention {fa} contradicts --attention {at}: give one (--attention names the kernel)");
        if (r.GetValue(StackFlags.Overlap) is string ov && r.GetValue(OverlapGradReduce) is string og
            && Readers.YesNo.Parse(ov) is bool o1 && Readers.YesNo.Parse(og) is bool o2 && o1 != o2)
            problems.Add($"--overlap {ov} contradicts --overlap-grad-reduce {og}: give one");
        if ((r.GetValue(Precision) ?? defaultPrecision) is string precisionName) stack = StackOptions.WithPrecision(stack, precisionName, problems);
        if (r.GetValue(StackFlags.Attention) is null && (Flag(r, FlashAttention, problems) ?? defaultFlash) is bool flash && flash != stack.FlashAttention)
            stack = catalog.WithAttention(stack, flash ? Core.Stack.AttentionKernel.Flash2 : Core.Stack.AttentionKernel.Unfused);
        if (StackOptions.YesNo(r, Dropout, problems) is bool dropout) stack = stack with { Dropout = dropout };
        var costs = CostOptions.Default.ForStack(stack);
        if (Flag(r, OverlapGradReduce, problems) is bool overlap) costs = costs with { OverlapGradReduce = overlap };
        return (stack.Precision, stack.FlashAttention, costs);
    }

    /// <summary>A true|false flag; anything else is a problem naming the flag and the value.</summary>
    private static bool? Flag(ParseResult r, Option<string?> option, List<string> problems)
    {
        string? v = r.GetValue(option);
        if (v is null) return null;
        if (Readers.YesNo.Parse(v) is bool b) return b;
        problems.Add($"{option.Name} '{v}' is not valid (valid: true, false; or yes, no)");
        return null;
    }

    private static bool? FlagOrThrow(ParseResult r, Option<string?> option)
    {
        var problems = new List<string>();
        var b = Flag(r, option, problems);
        return problems.Count > 0 ? throw new UserInputException(problems) : b;
    }

    private static T Lookup<T>(IReadOnlyDictionary<string, T> table, string value, string flag, List<string> problems) where T : struct
    {
        if (table.TryGetValue(value, out var v)) return v;
        problems.Add($"{flag} '{value}' is not valid (valid: {string.Join(", ", table.Keys)})");
        return table.Values.First();
    }

    /// <summary>The model from the flags; <paramref name="defaultModel"/> (e.g. from a sweep spec) when --model is not given.</summary>
    public ModelSpec BindModel(ParseResult r, Catalog catalog, string? defaultModel = null)
    {
        string? name = r.GetValue(Model) ?? defaultModel;
        int? layers = r.GetValue(Layers), hidden = r.GetValue(Hidden), heads = r.GetValue(Heads);
        string? archName = r.GetValue(Arch);
        Architecture? arch = null;
        if (archName is not null)
            arch = ScheduleNames.Arch.TryGetValue(archName, out var a) ? a
                : throw new UserInputException($"--arch '{archName}' is not valid (valid: {string.Join(", ", ScheduleNames.Arch.Keys)})");

        ModelSpec baseModel;
        if (name is null && (layers ?? hidden ?? heads) is not null)
        {
            // a model given only by flags: layers, hidden and heads are required, the rest have family defaults
            var missing = new[] { ("--layers", layers), ("--hidden", hidden), ("--heads", heads) }.Where(x => x.Item2 is null).Select(x => x.Item1).ToArray();
            if (missing.Length > 0)
                throw new UserInputException($"a model given by flags needs {string.Join(", ", missing)} (or name one with --model)");
            var fam = arch ?? Architecture.Gpt;
            int h = hidden!.Value;
            // Llama's SwiGLU width: 2/3 of 4h, rounded up to a multiple of 256 (arXiv:2302.13971 §2)
            int ffn = fam == Architecture.Llama ? (int)Math.Ceiling(8.0 * h / 3 / 256) * 256 : 4 * h;
            baseModel = new ModelSpec("custom", fam, layers!.Value, h, heads!.Value, heads.Value, ffn,
                fam == Architecture.Llama ? 32000 : 50257, 2048, fam == Architecture.Gpt, new Source("command-line flags"));
        }
        else baseModel = catalog.Model(name ?? DefaultModel);

        var m = baseModel with
        {
            Arch = arch ?? baseModel.Arch,
            Layers = layers ?? baseModel.Layers,
            Hidden = hidden ?? baseModel.Hidden,
            Heads = heads ?? baseModel.Heads,
            KvHeads = r.GetValue(KvHeads) ?? (heads is not null && baseModel.KvHeads == baseModel.Heads ? heads.Value : baseModel.KvHeads),
            // a new hidden size without --ffn-hidden keeps the base model's FFN/hidden ratio (4 for GPT), never its width
            FfnHidden = r.GetValue(FfnHidden) ?? (hidden is int nh && nh != baseModel.Hidden
                ? (int)Math.Round((double)baseModel.FfnHidden * nh / baseModel.Hidden) : baseModel.FfnHidden),
            Vocab = r.GetValue(Vocab) ?? baseModel.Vocab,
            SeqLength = r.GetValue(SeqLength) ?? baseModel.SeqLength,
            TiedEmbeddings = FlagOrThrow(r, TiedEmbeddings) ?? baseModel.TiedEmbeddings,
        };
        return m;
    }

    /// <summary>The node type from --cluster or --gpu (then the spec's defaults), with --gpus-per-node applied.</summary>
    public NodeSpec BindNodeWithOverrides(ParseResult r, Catalog catalog, string? defaultCluster = null, string? defaultGpu = null)
    {
        var node = BindNode(r, catalog, defaultCluster, defaultGpu);
        if (r.GetValue(GpusPerNode) is not int perNode) return node;
        return perNode >= 1 ? node with { GpusPerNode = perNode } : throw new UserInputException($"--gpus-per-node must be at least 1 (got {perNode})");
    }

    private NodeSpec BindNode(ParseResult r, Catalog catalog, string? defaultCluster = null, string? defaultGpu = null)
    {
        string? gpuName = r.GetValue(Gpu), clusterName = r.GetValue(Cluster);
        if (gpuName is null && clusterName is null) { gpuName = defaultGpu; clusterName = defaultCluster; }
        if (clusterName is not null)
        {
            var node = catalog.Node(clusterName);
            if (gpuName is not null)
            {
                var gpu = catalog.Gpu(gpuName);
                if (!string.Equals(gpu.Name, node.Gpu.Name, StringComparison.OrdinalIgnoreCase))
                    throw new UserInputException($"--gpu {gpu.Name} does not match --cluster {node.Name}, whose GPU is {node.Gpu.Name}");
            }
            return node;
        }
        if (gpuName is not null) return catalog.Node(catalog.Gpu(gpuName).DefaultNode);
        return catalog.Node(DefaultCluster);
    }
}
