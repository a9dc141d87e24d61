using System.Globalization;
using System.Text.RegularExpressions;

namespace ParallelSim.Readers;

/// <summary>
/// One row of a published-runs CSV with its numbers parsed (empty cells are null). Free text stays text: the GPU, the
/// recompute mode and the model description are interpreted by <see cref="PublishedRunMapping"/>, which may skip the row.
/// </summary>
public sealed partial record PublishedRun(
    int Line, string Source, string Model, string Notes,
    int? Layers, int? Hidden, int? Heads, int? KvHeads, int? FfnHidden, int? Vocab, int? SeqLen, string Arch,
    string Gpu, int? NumGpus, int? Tp, int? Pp, int? Dp, int? Cp, int? Vpp, bool VppMaxChunks, int? MicroBatch, int? GlobalBatch,
    string Recompute, bool? SequenceParallel, int? ZeroStage,
    double? TflopsPerGpu, double? Mfu, double? Hfu, double? IterTimeSeconds, double? MemoryGb)
{
    /// <summary>The stack columns (empty: the stack of the row's framework, or the default): stack, framework, attention, precision.</summary>
    public string Stack { get; init; } = "";
    public string Framework { get; init; } = "";
    public string Attention { get; init; } = "";
    public string Precision { get; init; } = "";
    public bool? Overlap { get; init; }
    public bool? Dropout { get; init; }
    /// <summary>Whether reported_tflops_per_gpu counts recomputation: "model" (no) or "hardware" (yes); empty: by recompute.</summary>
    public string TflopsConvention { get; init; } = "";
    /// <summary>A catalog node type (configs/clusters) the run ran on; empty: the GPU's usual node type.</summary>
    public string Cluster { get; init; } = "";
    /// <summary>A catalog model or config path whose shape fills the empty shape columns.</summary>
    public string ModelRef { get; init; } = "";
    /// <summary>The optional sample column: in (something was fitted to the row), out (nothing was), or unlabelled when empty.</summary>
    public Core.Validation.SampleLabel Sample { get; init; }

    /// <summary>Parses a row; every malformed cell adds a problem (naming the line, column and value) and reads as empty.</summary>
    public static PublishedRun Parse(CsvRow row, string where, List<string> problems)
    {
        string at = $"{where} line {row.Line}";
        int? Int(string column, int min = 1)
        {
            string v = row[column];
            if (v.Length == 0) return null;
            var m = IntCell().Match(v);
            if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int i))
            {
                if (i >= min) return i;
                problems.Add($"{at}: {column} is {i}; it must be at least {min}");
                return null;
            }
            problems.Add($"{at}: {column} \"{v}\" is not a whole number (a remark may follow in parentheses, e.g. \"3 (fully sharded DP)\")");
            return null;
        }
        double? Real(string column, bool fraction = false)
        {
            string v = row[column];
            if (v.Length == 0) return null;
            bool percent = fraction && v.EndsWith('%');
            var m = RealCell().Match(percent ? v[..^1].Trim() : v);
            if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || !double.IsFinite(d))
            {
                problems.Add($"{at}: {column} \"{v}\" is not a number (write it with a '.' decimal point, e.g. 1.42)");
                return null;
            }
            if (percent) d /= 100;
            if (d <= 0) { problems.Add($"{at}: {column} is {v}; it must be above 0"); return null; }
            if (fraction && d > 1) { problems.Add($"{at}: {column} is {v}; it is a fraction of peak (0.41 for 41%, or write 41%)"); return null; }
            return d;
        }

        string vppText = row["vpp"];
        // "max chunks (each layer a chunk)": the zero-bubble paper's 1F1B-I, one layer per virtual stage
        bool maxChunks = vppText.StartsWith("max chunks", StringComparison.OrdinalIgnoreCase);
        int? vpp = maxChunks ? null : Int("vpp");

        bool? YesNo(string column) => row[column].Length == 0 ? null
            : Readers.YesNo.Parse(row[column]) ?? Bad($"{at}: {column} \"{row[column]}\" is not yes or no (or empty)");
        bool? sp = YesNo("sequence_parallel");
        bool? Bad(string problem) { problems.Add(problem); return null; }
        string Known<T>(string column, IReadOnlyDictionary<string, T> valid)
        {
            string v = row[column];
            if (v.Length > 0 && !valid.ContainsKey(v)) problems.Add($"{at}: {column} \"{v}\" is not known (valid: {string.Join(", ", valid.Keys)}, or empty)");
            return v;
        }
        string convention = row["tflops_convention"].ToLowerInvariant();
        if (convention.Length > 0 && convention is not ("model" or "hardware"))
            problems.Add($"{at}: tflops_convention \"{row["tflops_convention"]}\" is not model or hardware (or empty)");

        string arch = row["arch"];
        if (arch.Length > 0 && !Core.Parallelism.ScheduleNames.Arch.ContainsKey(arch))
            problems.Add($"{at}: arch \"{arch}\" is not known (valid: {string.Join(", ", Core.Parallelism.ScheduleNames.Arch.Keys)}, or empty for gpt)");

        var sample = Core.Validation.SampleLabel.Unlabelled;
        if (row["sample"].Length > 0 && !Core.Validation.SampleNames.Labels.TryGetValue(row["sample"], out sample))
            problems.Add($"{at}: sample \"{row["sample"]}\" is not valid (valid: {string.Join(", ", Core.Validation.SampleNames.Labels.Keys)}, or empty)");

        int? zero = Int("zero_stage", min: 0);
        if (zero > 3) { problems.Add($"{at}: zero_stage is {zero}; it must be 0 to 3"); zero = null; }

        return new PublishedRun(row.Line, row["source"], row["model"], row["notes"],
            Int("layers"), Int("hidden"), Int("heads"), Int("kv_heads"), Int("ffn_hidden"), Int("vocab"), Int("seq_len"), arch,
            row["gpu"], Int("num_gpus"), Int("tp"), Int("pp"), Int("dp"), Int("cp"), vpp, maxChunks, Int("micro_batch"), Int("global_batch"),
            row["recompute"], sp, zero,
            Real("reported_tflops_per_gpu"), Real("reported_mfu", fraction: true), Real("reported_hfu", fraction: true),
            Real("reported_iter_time_s"), Real("reported_memory_gb"))
        {
            Stack = row["stack"], Framework = Known("framework", Core.Stack.StackNames.Frameworks), Attention = Known("attention", Core.Stack.StackNames.Attention),
            Precision = Known("precision", Core.Stack.StackNames.Dtypes), Overlap = YesNo("overlap"), Dropout = YesNo("dropout"),
            TflopsConvention = convention, ModelRef = row["model_ref"], Cluster = row["cluster"], Sample = sample,
        };
    }

    [GeneratedRegex(@"^(\d+)\s*(\(.*\))?$")]
    private static partial Regex IntCell();

    [GeneratedRegex(@"^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(\(.*\))?$")]
    private static partial Regex RealCell();
}
