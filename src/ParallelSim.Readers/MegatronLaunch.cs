using System.Globalization;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Readers;

/// <summary>One line of the explanation: the argument as written, what it means, and what the simulation does with it.</summary>
public sealed record LaunchArgument(string Argument, string Value, string Status, string Meaning, string Effect);

/// <summary>A launch line understood: one row per argument, and the model, cluster and plan it describes.</summary>
/// <remarks>When <see cref="Problems"/> is not empty the model, cluster and plan are null: the rows still say what each argument is.</remarks>
public sealed record MegatronLaunch(IReadOnlyList<LaunchArgument> Arguments, IReadOnlyList<string> Unknown, IReadOnlyList<string> Notes,
    IReadOnlyList<string> Problems, ModelSpec? Model, ClusterSpec? Cluster, ParallelPlan? Plan, CostOptions Costs)
{
    /// <summary>Interprets the words of a launch line on a node type; every problem is reported at once.</summary>
    public static MegatronLaunch Interpret(IReadOnlyList<string> words, NodeSpec node)
    {
        var tokens = MegatronArgs.Tokens(words, MegatronFlags.TakesValue);
        var rows = new List<LaunchArgument>();
        var unknown = new List<string>();
        var notes = new List<string>();
        var problems = new List<string>();
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);

        foreach (var t in tokens)
        {
            if (!t.IsFlag)
            {
                string w = t.Flag;
                if (w is "torchrun" or "python" or "python3" or "-m" || w.EndsWith("torch.distributed.run", StringComparison.Ordinal)
                    || w.EndsWith("torch.distributed.launch", StringComparison.Ordinal))
                    rows.Add(new LaunchArgument(w, "", "launcher", "starts one process per GPU", "world size from --nnodes × --nproc-per-node"));
                else if (w.EndsWith(".py", StringComparison.Ordinal))
                    rows.Add(new LaunchArgument(w, "", w.EndsWith("pretrain_gpt.py", StringComparison.Ordinal) ? "script" : "script?",
                        "the training script", w.EndsWith("pretrain_gpt.py", StringComparison.Ordinal) ? "a GPT-style decoder" : "read as pretrain_gpt.py (others not checked)"));
                else if (EnvironmentSetting(w))
                    rows.Add(new LaunchArgument(w, "", "known", "an environment variable for the launched processes", "not simulated: environment"));
                else { unknown.Add(w); rows.Add(new LaunchArgument(w, "", "UNKNOWN", "a word that is neither a flag nor its value", "ignored: not simulated")); }
                continue;
            }
            if (MegatronFlags.Known.TryGetValue(t.Flag, out var k))
            {
                if (k.TakesValue && t.Value is null) problems.Add($"{t.Flag} needs a value");
                if (!k.TakesValue && t.Value is not null) problems.Add($"{t.Flag} takes no value (got '{t.Value}')");
                values[t.Flag] = t.Value;
                rows.Add(new LaunchArgument(t.Flag, t.Value ?? "", k.Use == FlagUse.Simulated ? "used" : "known", k.Meaning, k.Effect));
            }
            else
            {
                unknown.Add(t.Flag);
                rows.Add(new LaunchArgument(t.Flag, t.Value ?? "", "UNKNOWN", "not a flag ParallelSim knows", "ignored: not simulated"));
            }
        }

        bool Has(string f) => values.ContainsKey(f);
        int? Int(string f)
        {
            if (!values.TryGetValue(f, out var v) || v is null) return null;
            if (int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) && i >= 0) return i;
            problems.Add($"{f} '{v}' is not a whole number"); return null;
        }
        double? Num(string f)
        {
            if (!values.TryGetValue(f, out var v) || v is null) return null;
            if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return d;
            problems.Add($"{f} '{v}' is not a number"); return null;
        }
        int Required(string f)
        {
            var v = Int(f);
            if (v is null && !Has(f)) problems.Add($"{f} is required (Megatron has no default)");
            return v ?? 1;
        }

        int layers = Required("--num-layers"), hidden = Required("--hidden-size"), heads = Required("--num-attention-heads"), seq = Required("--seq-length");
        int tp = Int("--tensor-model-parallel-size") ?? 1, pp = Int("--pipeline-model-parallel-size") ?? 1, cp = Int("--context-parallel-size") ?? 1;
        int ep = Int("--expert-model-parallel-size") ?? 1;
        if (ep > 1) problems.Add($"--expert-model-parallel-size {ep}: mixture-of-experts models are not simulated (dense only)");
        bool swiglu = Has("--swiglu");
        // Megatron arguments.py: with --swiglu the default FFN is int(4h·2/3 / 64)·64, else 4h
        int ffn = Int("--ffn-hidden-size") ?? (swiglu ? (int)(4.0 * hidden * 2 / 3 / 64) * 64 : 4 * hidden);
        int kvHeads = Has("--group-query-attention") ? Int("--num-query-groups") ?? 1 : heads;
        if (Has("--num-query-groups") && !Has("--group-query-attention")) notes.Add("--num-query-groups has no effect without --group-query-attention (as in Megatron)");

        int? vocab = Int("--vocab-size");
        if (vocab is null)
        {
            string? tok = values.GetValueOrDefault("--tokenizer-type");
            if (tok is "GPT2BPETokenizer") vocab = 50257; // GPT-2 BPE: 50,257 tokens (Radford et al. 2019)
            else problems.Add(tok is null ? "the vocabulary is unknown: give --vocab-size or --tokenizer-type GPT2BPETokenizer"
                : $"--tokenizer-type {tok}: its vocabulary size is not known here; add --vocab-size");
        }
        // Megatron _vocab_size_with_padding: pad to a multiple of make-vocab-size-divisible-by × tp
        int unit = (Int("--make-vocab-size-divisible-by") ?? 128) * Math.Max(1, tp);
        int padded = vocab is int v0 && unit > 0 ? (v0 + unit - 1) / unit * unit : vocab ?? 1;
        if (vocab is int v1 && padded != v1) notes.Add($"vocabulary {v1} padded to {padded} (a multiple of {unit / Math.Max(1, tp)} × tp {tp}), as Megatron does");

        string norm = values.GetValueOrDefault("--normalization") ?? "LayerNorm";
        string pos = values.GetValueOrDefault("--position-embedding-type") ?? "learned_absolute";
        bool llama = swiglu || norm == "RMSNorm" || pos == "rope";
        if (llama && !(swiglu && norm == "RMSNorm" && pos == "rope"))
            notes.Add($"simulated as the llama family (SwiGLU, RMSNorm, RoPE, no biases); the line has swiglu {(swiglu ? "on" : "off")}, {norm}, {pos}");

        int nnodes = Int("--nnodes") ?? 1, perNode = Int("--nproc-per-node") ?? 0;
        if (perNode == 0)
        {
            perNode = node.GpusPerNode;
            if (!Has("--nnodes")) notes.Add($"no torchrun --nnodes/--nproc-per-node: one replica (dp 1) on tp × pp × cp GPUs");
        }
        long world = Has("--nproc-per-node") || Has("--nnodes") ? (long)nnodes * perNode : (long)tp * pp * cp;
        long mp = (long)tp * pp * cp;
        int dp = mp > 0 && world % mp == 0 ? (int)(world / mp) : 1;
        if (mp > 0 && world % mp != 0) problems.Add($"world size {world} (nnodes {nnodes} × nproc-per-node {perNode}) is not divisible by tp × pp × cp = {mp}");
        int micro = Int("--micro-batch-size") ?? 1;
        int global = Int("--global-batch-size") ?? micro * dp; // Megatron: global batch defaults to micro × dp

        // uneven pipeline: first / last stage counts, or the embedding and the loss counted as a layer each
        var split = new LayerSplit(Int("--decoder-first-pipeline-num-layers"), Int("--decoder-last-pipeline-num-layers"),
            Has("--account-for-embedding-in-pipeline-split"), Has("--account-for-loss-in-pipeline-split"));
        int vpp = 1;
        if (Int("--num-layers-per-virtual-pipeline-stage") is int perChunk && perChunk > 0)
        {
            // Megatron arguments.py validate_args: layers per chunk with uneven counts is refused; with the accounting the
            // embedding and the loss count in: vpp = (L + embedding + loss) / p / layers per chunk
            int counted = layers + (split.EmbeddingAsLayer ? 1 : 0) + (split.LossAsLayer ? 1 : 0);
            string what = counted == layers ? $"--num-layers ({layers})" : $"--num-layers ({layers}) with the embedding and loss accounted ({counted})";
            if (split.HasCounts)
                problems.Add("--num-layers-per-virtual-pipeline-stage cannot be used with --decoder-first/last-pipeline-num-layers (Megatron asks for --num-virtual-stages-per-pipeline-rank with an uneven pipeline)");
            else if (counted % ((long)pp * perChunk) != 0) problems.Add($"{what} must be divisible by pp × layers per virtual stage ({pp} × {perChunk})");
            else vpp = counted / (pp * perChunk);
        }
        if (Int("--num-virtual-stages-per-pipeline-rank") is int chunks && chunks > 0) vpp = chunks;

        var recompute = (values.GetValueOrDefault("--recompute-granularity") ?? (Has("--recompute-activations") ? "selective" : null)) switch
        {
            null => RecomputeMode.None,
            "full" => RecomputeMode.Full,
            "selective" => RecomputeMode.Selective,
            var g => Problem(problems, $"--recompute-granularity '{g}' is not valid (valid: full, selective)", RecomputeMode.None),
        };
        if (recompute == RecomputeMode.Full && Int("--recompute-num-layers") is int rn && rn < layers / Math.Max(1, pp * vpp))
            notes.Add($"--recompute-method {values.GetValueOrDefault("--recompute-method") ?? "uniform"} with --recompute-num-layers {rn}: simulated as every layer recomputed (an upper bound on time, lower on memory)");
        if (!Has("--bf16") && !Has("--fp16")) notes.Add("neither --bf16 nor --fp16: Megatron would train in fp32; simulated with bf16 rates and the megatron policy");
        double dropout = Math.Max(Num("--attention-dropout") ?? 0.1, Num("--hidden-dropout") ?? 0.1);

        if (problems.Count > 0) return new MegatronLaunch(rows, unknown, notes, problems, null, null, null, CostOptions.Default);
        var model = new ModelSpec("megatron-launch", llama ? Architecture.Llama : Architecture.Gpt, layers, hidden, heads, kvHeads, ffn, padded, seq,
            !Has("--untie-embeddings-and-output-weights"), new Source("Megatron-LM launch line"));
        var plan = new ParallelPlan(tp, pp, dp, cp, vpp, micro, global, Has("--use-distributed-optimizer") ? ZeroStage.OptimizerStates : ZeroStage.None,
            recompute, Has("--sequence-parallel"), vpp > 1 ? ScheduleKind.Interleaved : ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, Has("--use-flash-attn"),
            split.IsEven ? null : split);
        var costs = CostOptions.Default with { Dropout = dropout > 0, OverlapGradReduce = Has("--overlap-grad-reduce") };
        if (costs.Dropout) notes.Add("dropout is on (Megatron's default 0.1 unless --attention-dropout 0 --hidden-dropout 0): its masks are stored");
        var cluster = new ClusterSpec(node with { GpusPerNode = perNode }, (int)Math.Min(int.MaxValue, world));
        var errors = PlanValidator.Validate(model, cluster, plan).Where(i => i.Severity == Severity.Error).Select(i => MegatronNames(i.Message)).ToList();
        return errors.Count > 0 ? new MegatronLaunch(rows, unknown, notes, errors, null, null, null, costs)
            : new MegatronLaunch(rows, unknown, notes, [], model, cluster, plan, costs);
    }

    /// <summary>The validator names the layer split by ParallelSim's flags; a launch line has Megatron's.</summary>
    private static string MegatronNames(string message) => message
        .Replace("first-stage-layers", "--decoder-first-pipeline-num-layers", StringComparison.Ordinal)
        .Replace("last-stage-layers", "--decoder-last-pipeline-num-layers", StringComparison.Ordinal)
        .Replace("embedding-as-layer", "--account-for-embedding-in-pipeline-split", StringComparison.Ordinal)
        .Replace("loss-as-layer", "--account-for-loss-in-pipeline-split", StringComparison.Ordinal);

    /// <summary>NAME=value before the launcher (CUDA_DEVICE_MAX_CONNECTIONS=1 torchrun ...).</summary>
    private static bool EnvironmentSetting(string word) =>
        word.IndexOf('=') is int eq && eq > 0 && word[..eq].All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(word[0]);

    private static T Problem<T>(List<string> problems, string p, T fallback) { problems.Add(p); return fallback; }
}
