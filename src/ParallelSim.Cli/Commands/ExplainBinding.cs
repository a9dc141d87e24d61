using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// Reads the model or the node from the shared flags without binding a whole plan, for the explain
/// topics that need no plan (initial-loss, flops, mfu, train-time, bubble): a plan that would not
/// validate must not stop them.
/// </summary>
public static class ExplainBinding
{
    /// <summary>The model of --model (default gpt3-175b) or of --layers/--hidden/--heads, with the shape flags applied.</summary>
    public static ModelSpec Model(ParseResult r, PlanOptions o, Catalog catalog)
    {
        string? name = r.GetValue(o.Model);
        int? layers = r.GetValue(o.Layers), hidden = r.GetValue(o.Hidden), heads = r.GetValue(o.Heads);
        var problems = new List<string>();
        Architecture? arch = null;
        if (r.GetValue(o.Arch) is string a)
        {
            if (ScheduleNames.Arch.TryGetValue(a, out var found)) arch = found;
            else problems.Add($"--arch '{a}' is not valid (valid: {string.Join(", ", ScheduleNames.Arch.Keys)})");
        }
        bool? tied = null;
        if (r.GetValue(o.TiedEmbeddings) is string t)
        {
            if (bool.TryParse(t, out bool b)) tied = b; else problems.Add($"--tied-embeddings '{t}' is not valid (valid: true, false)");
        }
        foreach (var (flag, value) in new[] { ("--layers", layers), ("--hidden", hidden), ("--heads", heads), ("--vocab", r.GetValue(o.Vocab)),
                     ("--seq-length", r.GetValue(o.SeqLength)), ("--ffn-hidden", r.GetValue(o.FfnHidden)), ("--kv-heads", r.GetValue(o.KvHeads)) })
            if (value is < 1) problems.Add($"{flag} must be at least 1 (got {value})");
        if (problems.Count > 0) throw new UserInputException(problems);

        var m = catalog.Model(name ?? PlanOptions.DefaultModel);
        int h = hidden ?? m.Hidden, heads2 = heads ?? m.Heads;
        var fam = arch ?? m.Arch;
        return m with
        {
            Name = name is null && (layers ?? hidden ?? heads) is not null ? "custom" : m.Name,
            Arch = fam,
            Layers = layers ?? m.Layers,
            Hidden = h,
            Heads = heads2,
            KvHeads = r.GetValue(o.KvHeads) ?? (heads is not null && m.KvHeads == m.Heads ? heads2 : m.KvHeads),
            // a new hidden size without --ffn-hidden keeps the family's ratio: 4h (GPT); Llama's 8h/3 rounded up to 256 (arXiv:2302.13971 §2)
            FfnHidden = r.GetValue(o.FfnHidden) ?? (hidden is null ? m.FfnHidden : fam == Architecture.Llama ? (int)Math.Ceiling(8.0 * h / 3 / 256) * 256 : 4 * h),
            Vocab = r.GetValue(o.Vocab) ?? m.Vocab,
            SeqLength = r.GetValue(o.SeqLength) ?? m.SeqLength,
            TiedEmbeddings = tied ?? m.TiedEmbeddings,
        };
    }

    /// <summary>The node type of --cluster, or --gpu's usual node, or the default.</summary>
    public static NodeSpec Node(ParseResult r, PlanOptions o, Catalog catalog)
    {
        string? gpu = r.GetValue(o.Gpu), cluster = r.GetValue(o.Cluster);
        if (cluster is not null) return catalog.Node(cluster);
        return catalog.Node(gpu is not null ? catalog.Gpu(gpu).DefaultNode : PlanOptions.DefaultCluster);
    }

    /// <summary>
    /// Explain's plan defaults: tp 1 and pp 1, and one model replica (dp 1) unless --gpus or --dp says otherwise,
    /// so `explain memory --model llama2-7b --gpu a100-sxm-80gb` asks about one GPU.
    /// </summary>
    public static void ApplyDefaults(PlanOptions o)
    {
        o.Tp.DefaultValueFactory = _ => 1;
        o.Tp.Description = "Tensor-parallel size [explain default: 1]";
        o.Pp.DefaultValueFactory = _ => 1;
        o.Pp.Description = "Pipeline-parallel size [explain default: 1]";
        o.Gpus.Description = "Total GPUs [explain default: tp x pp x cp x dp, with dp 1 unless --dp]";
        o.Gpus.DefaultValueFactory = ar =>
        {
            if (ar.Parent?.Parent is not System.CommandLine.Parsing.CommandResult cmd) return null;
            if (cmd.GetResult(o.Dp) is { Implicit: false }) return null; // dp given: gpus = tp·pp·cp·dp
            long mp = (long)(cmd.GetValue(o.Tp) ?? 1) * (cmd.GetValue(o.Pp) ?? 1) * (cmd.GetValue(o.Cp) ?? 1);
            return mp is >= 1 and <= int.MaxValue ? (int)mp : null;
        };
    }
}
