using System.Globalization;
using System.Text.Json;

namespace ParallelSim.Readers;

/// <summary>
/// A sweep described in a JSON file (configs/sweeps/NAME.json): the same settings as the sweep flags,
/// which override it. Lists are JSON arrays; names are the flags' names in camelCase.
/// </summary>
public sealed record SweepSpec
{
    public string? Description { get; init; }
    public string? Model { get; init; }
    public string? Cluster { get; init; }
    public string? Gpu { get; init; }
    public string? Gpus { get; init; }
    public int? GlobalBatch { get; init; }
    public string? Tp { get; init; }
    public string? Pp { get; init; }
    public string? Dp { get; init; }
    public string? Cp { get; init; }
    public string? Vpp { get; init; }
    public string? MicroBatch { get; init; }
    public string? Zero { get; init; }
    public string? Recompute { get; init; }
    public string? Schedule { get; init; }
    public string? SequenceParallel { get; init; }
    public int? MaxTpPerNode { get; init; }
    public string? Objective { get; init; }
    public double? PricePerGpuHour { get; init; }
    public string? Headroom { get; init; }
    public int? Top { get; init; }
    public int? RefineTop { get; init; }
    public string? Tokens { get; init; }
    public string? Precision { get; init; }
    public bool? FlashAttention { get; init; }
    /// <summary>The software stack the sweep assumes (a configs/stacks name or profile; --stack overrides).</summary>
    public string? Stack { get; init; }

    private static readonly string[] Keys = ["description", "model", "cluster", "gpu", "gpus", "globalBatch", "tp", "pp", "dp", "cp", "vpp", "microBatch",
        "zero", "recompute", "schedule", "sequenceParallel", "maxTpPerNode", "objective", "pricePerGpuHour", "headroom", "top", "refineTop",
        "tokens", "precision", "flashAttention", "stack"];

    /// <summary>A file path, or the name of a sweep shipped in configs/sweeps/.</summary>
    public static SweepSpec Load(string pathOrName)
    {
        string text, where = pathOrName;
        if (File.Exists(pathOrName)) text = ReadFile(pathOrName);
        else
        {
            string name = Path.GetFileNameWithoutExtension(pathOrName);
            var shipped = Catalog.EmbeddedFiles("sweeps").ToDictionary(f => Path.GetFileNameWithoutExtension(f.Path), f => f, StringComparer.OrdinalIgnoreCase);
            if (!shipped.TryGetValue(name, out var f))
                throw new UserInputException($"sweep spec '{pathOrName}' is neither a file nor a shipped sweep (shipped: {string.Join(", ", shipped.Keys.Order(StringComparer.Ordinal))})");
            (where, text) = f;
        }
        using var doc = JsonFields.Parse(text, where);
        return Read(doc.RootElement, where);
    }

    private static string ReadFile(string path)
    {
        return InputFile.Read(path, "sweep spec");
    }

    public static SweepSpec Read(JsonElement root, string where)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new UserInputException($"{where}: expected a JSON object, found {root.ValueKind}");
        var problems = new List<string>();
        foreach (var p in root.EnumerateObject())
            if (!Keys.Contains(p.Name, StringComparer.Ordinal))
                problems.Add($"{where}: unknown key \"{p.Name}\" (known: {string.Join(", ", Keys.Order(StringComparer.Ordinal))})");

        string? Str(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.String) return v.GetString();
            problems.Add($"{where}: \"{key}\" must be a string"); return null;
        }
        // a list: a JSON array (or one value) of numbers, strings or booleans, kept as the flag's text "a,b,c"
        string? List(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            var items = v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().ToArray() : [v];
            var texts = new List<string>();
            foreach (var i in items)
                switch (i.ValueKind)
                {
                    case JsonValueKind.Number: texts.Add(i.GetRawText()); break;
                    case JsonValueKind.String: texts.Add(i.GetString()!); break;
                    case JsonValueKind.True or JsonValueKind.False: texts.Add(i.GetBoolean() ? "true" : "false"); break;
                    default: problems.Add($"{where}: \"{key}\" must be a list of numbers, names or true/false (found {i.ValueKind})"); return null;
                }
            return string.Join(",", texts);
        }
        int? Int(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) return i;
            problems.Add($"{where}: \"{key}\" must be a whole number"); return null;
        }
        double? Num(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.Number) return v.GetDouble();
            problems.Add($"{where}: \"{key}\" must be a number"); return null;
        }
        bool? Bool(string key)
        {
            if (!root.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
            problems.Add($"{where}: \"{key}\" must be true or false"); return null;
        }
        // numbers that may also be written as strings ("300e9", "5%")
        string? NumOrString(string key) =>
            root.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble().ToString("R", CultureInfo.InvariantCulture) : Str(key);

        var spec = new SweepSpec
        {
            Description = Str("description"), Model = Str("model"), Cluster = Str("cluster"), Gpu = Str("gpu"), Gpus = List("gpus"),
            GlobalBatch = Int("globalBatch"), Tp = List("tp"), Pp = List("pp"), Dp = List("dp"), Cp = List("cp"), Vpp = List("vpp"),
            MicroBatch = List("microBatch"), Zero = List("zero"), Recompute = List("recompute"), Schedule = List("schedule"),
            SequenceParallel = List("sequenceParallel"), MaxTpPerNode = Int("maxTpPerNode"), Objective = Str("objective"),
            PricePerGpuHour = Num("pricePerGpuHour"), Headroom = NumOrString("headroom"), Top = Int("top"), RefineTop = Int("refineTop"),
            Tokens = NumOrString("tokens"), Precision = Str("precision"), FlashAttention = Bool("flashAttention"), Stack = Str("stack"),
        };
        if (problems.Count > 0) throw new UserInputException(problems);
        return spec;
    }
}
