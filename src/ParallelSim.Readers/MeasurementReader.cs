using System.Text.Json;
using ParallelSim.Core.Costs;

namespace ParallelSim.Readers;

/// <summary>
/// Reads kernel measurements in JSON lines: GEMMs {"op", "m", "k", "n", "seconds"} (bf16 [m×k]·[k×n]) and
/// causal attention {"b", "heads", "seq", "head_dim", "fwd_s", "fwd_bwd_s"}, the formats of configs/calibration/.
/// </summary>
public static class MeasurementReader
{
    public static IReadOnlyList<KernelMeasurement> Gemms(string text, string where) =>
        Lines(text, where, (j, at) =>
        {
            string op = j.String("op", "gemm");
            double m = j.Number("m", min: 1), k = j.Number("k", min: 1), n = j.Number("n", min: 1), s = j.Number("seconds", min: 1e-12);
            foreach (var extra in new[] { "tp", "hidden", "flops_per_s" }) j.Has(extra);
            j.RejectUnknown(); j.ThrowIfProblems();
            // 2mnk FLOPs; reads both inputs and writes the output in bf16
            return [new KernelMeasurement($"{op} {m}x{k}x{n}", 2 * m * n * k, 2 * (m * k + k * n + m * n), s)];
        });

    public static IReadOnlyList<KernelMeasurement> Attention(string text, string where) =>
        Lines(text, where, (j, at) =>
        {
            double b = j.Number("b", min: 1), heads = j.Number("heads", min: 1), seq = j.Number("seq", min: 1), d = j.Number("head_dim", min: 1);
            bool causal = j.Bool("causal", true);
            double fwd = j.Number("fwd_s", min: 1e-12), fwdBwd = j.Number("fwd_bwd_s", min: 1e-12);
            j.RejectUnknown(); j.ThrowIfProblems();
            // QK^T and attention x V: 4·b·s²·heads·d FLOPs, halved by a causal kernel; backward 2.5x (Dao 2023, §3.1)
            double flops = 4 * b * seq * seq * heads * d * (causal ? 0.5 : 1);
            double io = 2 * 4 * b * seq * heads * d;
            string label = $"attn b{b} h{heads} s{seq} d{d}";
            return [new KernelMeasurement(label + " fwd", flops, io, fwd), new KernelMeasurement(label + " bwd", 2.5 * flops, 2 * io, fwdBwd - fwd)];
        });

    private static IReadOnlyList<KernelMeasurement> Lines(string text, string where, Func<JsonFields, string, KernelMeasurement[]> read)
    {
        var rows = new List<KernelMeasurement>();
        var problems = new List<string>();
        int lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            string at = $"{where} line {lineNo}";
            try
            {
                using var doc = JsonFields.Parse(line, at);
                rows.AddRange(read(JsonFields.Of(doc.RootElement, at), at));
            }
            catch (UserInputException e) { problems.AddRange(e.Problems); }
        }
        if (problems.Count > 0) throw new UserInputException(problems);
        if (rows.Count < 2) throw new UserInputException($"{where}: at least two measurements are needed (found {rows.Count})");
        return rows;
    }
}
