using System.Reflection;
using System.Text.Json;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Stack;

namespace ParallelSim.Readers;

/// <summary>
/// The GPUs, node types and models shipped in configs/ (embedded in the binary). Names match
/// case-insensitively; an unknown name lists the valid ones.
/// </summary>
public sealed class Catalog
{
    public IReadOnlyDictionary<string, GpuSpec> Gpus { get; }
    public IReadOnlyDictionary<string, NodeSpec> Nodes { get; }
    public IReadOnlyDictionary<string, ModelSpec> Models { get; }
    /// <summary>The software stacks of configs/stacks/, by name.</summary>
    public IReadOnlyDictionary<string, StackSpec> Stacks { get; }
    /// <summary>Published attention-kernel speeds per GPU generation (configs/kernels/attention.json).</summary>
    public IReadOnlyDictionary<AttentionKernel, AttentionRates> AttentionKernels { get; }

    /// <summary>The stack used when none is named: today's Megatron-Core on Hopper.</summary>
    public const string DefaultStack = "megatron-core-2024";

    private Catalog(Dictionary<string, GpuSpec> gpus, Dictionary<string, NodeSpec> nodes, Dictionary<string, ModelSpec> models,
        Dictionary<string, StackSpec> stacks, IReadOnlyDictionary<AttentionKernel, AttentionRates> kernels)
    { Gpus = gpus; Nodes = nodes; Models = models; Stacks = stacks; AttentionKernels = kernels; }

    private static readonly Lazy<Catalog> Embedded = new(LoadEmbedded);
    public static Catalog Default => Embedded.Value;

    /// <summary>Every embedded resource under configs/, by its path (configs/models/gpt3-175b.json).</summary>
    public static IEnumerable<(string Path, string Text)> EmbeddedFiles(string folder)
    {
        var asm = typeof(Catalog).Assembly;
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith($"configs/{folder}/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = asm.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (name, reader.ReadToEnd());
        }
    }

    private static Catalog LoadEmbedded()
    {
        var gpus = new Dictionary<string, GpuSpec>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, text) in EmbeddedFiles("gpus"))
        {
            using var doc = JsonFields.Parse(text, path);
            var g = SpecReaders.ReadGpu(doc.RootElement, path);
            gpus[g.Name] = g;
        }
        var nodes = new Dictionary<string, NodeSpec>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, text) in EmbeddedFiles("clusters"))
        {
            using var doc = JsonFields.Parse(text, path);
            var n = SpecReaders.ReadNode(doc.RootElement, path, name => Find(gpus, name, "GPU"));
            nodes[n.Name] = n;
        }
        var models = new Dictionary<string, ModelSpec>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, text) in EmbeddedFiles("models"))
        {
            using var doc = JsonFields.Parse(text, path);
            var m = SpecReaders.ReadModel(doc.RootElement, path);
            models[m.Name] = m;
        }
        var kernels = EmbeddedFiles("kernels").Where(f => f.Path.EndsWith("attention.json", StringComparison.Ordinal))
            .Select(f => StackReader.ReadAttentionTable(f.Text, f.Path)).FirstOrDefault() ?? new Dictionary<AttentionKernel, AttentionRates>();
        var stacks = new Dictionary<string, StackSpec>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, text) in EmbeddedFiles("stacks"))
        {
            var st = StackReader.ReadStack(text, path, kernels);
            stacks[st.Name] = st;
        }
        return new Catalog(gpus, nodes, models, stacks, kernels);
    }

    /// <summary>A GPU by catalog name, or by the names people write ("H100", "A100-80GB", "H200"; <see cref="GpuNames.Match"/>).</summary>
    public GpuSpec Gpu(string name)
    {
        if (Gpus.TryGetValue(name, out var g)) return g;
        var (matched, _) = GpuNames.Match(name, this);
        return matched ?? Find(Gpus, name, "GPU");
    }

    /// <summary>A stack by catalog name, or a stack profile JSON (e.g. written by `calibrate stack`).</summary>
    public StackSpec Stack(string nameOrPath)
    {
        if (Stacks.TryGetValue(nameOrPath, out var s)) return s;
        if (StackAliases.TryGetValue(nameOrPath.Trim().Replace('_', '-').Replace(' ', '-'), out var alias) && Stacks.TryGetValue(alias, out s)) return s;
        if (!nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return Find(Stacks, nameOrPath, "stack");
        string text = InputFile.Read(nameOrPath, "stack file");
        return StackReader.ReadStack(text, nameOrPath, AttentionKernels);
    }

    /// <summary>
    /// The names people give the shipped stacks without their year ("megatron-core", "torchtitan", "deepspeed-zero3", "fsdp"): each to
    /// the one shipped stack of that name.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> StackAliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["megatron-core"] = "megatron-core-2024", ["mcore"] = "megatron-core-2024", ["megatron"] = "megatron-core-2024",
        ["megatron-lm"] = "megatron-lm-2021", ["megatron-deepspeed"] = "megatron-deepspeed-2022",
        ["deepspeed"] = "deepspeed-zero3-2021", ["deepspeed-zero3"] = "deepspeed-zero3-2021", ["zero3"] = "deepspeed-zero3-2021",
        ["pytorch-fsdp"] = "pytorch-fsdp-2023", ["fsdp"] = "pytorch-fsdp-2023", ["llm-foundry"] = "pytorch-fsdp-2023", ["composer"] = "pytorch-fsdp-2023",
        ["torchtitan"] = "torchtitan-fsdp2-2024", ["fsdp2"] = "torchtitan-fsdp2-2024", ["torchtitan-fsdp2"] = "torchtitan-fsdp2-2024",
    };

    /// <summary>The stack with another attention kernel, its published rates looked up in the kernel table.</summary>
    public StackSpec WithAttention(StackSpec stack, AttentionKernel kernel) =>
        stack with { Attention = kernel, AttentionRates = AttentionKernels.TryGetValue(kernel, out var r) ? r : AttentionRates.None };
    public NodeSpec Node(string name) => Find(Nodes, name, "cluster");

    /// <summary>A catalog name, or a path to a ParallelSim model JSON or a Hugging Face config.json.</summary>
    public ModelSpec Model(string nameOrPath)
    {
        if (Models.TryGetValue(nameOrPath, out var m)) return m;
        bool looksLikePath = nameOrPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || nameOrPath.Contains('/') || nameOrPath.Contains('\\');
        if (!looksLikePath) return Find(Models, nameOrPath, "model");
        return LoadModelFile(nameOrPath);
    }

    public static ModelSpec LoadModelFile(string path)
    {
        string text = InputFile.Read(path, "model file");
        using var doc = JsonFields.Parse(text, path);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("arch", out _)) return SpecReaders.ReadModel(root, path);
        if (HuggingFaceConfig.Looks(root))
        {
            string dir = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "");
            return HuggingFaceConfig.Read(root, path, dir.Length > 0 ? dir : Path.GetFileNameWithoutExtension(path));
        }
        throw new UserInputException($"{path}: neither a ParallelSim model (needs \"arch\", \"layers\", ...) nor a Hugging Face config.json (needs \"model_type\", \"hidden_size\", ...)");
    }

    private static T Find<T>(IReadOnlyDictionary<string, T> table, string name, string what) =>
        table.TryGetValue(name, out var v) ? v
        : throw new UserInputException($"unknown {what} '{name}'. Valid: {string.Join(", ", table.Keys.Order(StringComparer.OrdinalIgnoreCase))}");
}
