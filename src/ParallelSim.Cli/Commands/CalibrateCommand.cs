using System.CommandLine;
using System.Globalization;
using System.Text;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// `parallelsim calibrate gemm|attn FILE.jsonl --gpu NAME`: fits the GPU's efficiency curve to measured
/// kernels (MathNet.Numerics), shows each row's error and prints the JSON to paste into configs/gpus/NAME.json.
/// </summary>
public static class CalibrateCommand
{
    public static Command Create()
    {
        var cmd = new Command("calibrate", "Fit efficiency curves to kernel measurements, host terms to training steps, a stack's factors to published runs");
        cmd.Subcommands.Add(Sub("gemm", "bf16 GEMMs in JSON lines {op, m, k, n, seconds}", "gemmEfficiency", MeasurementReader.Gemms));
        cmd.Subcommands.Add(Sub("attn", "causal flash attention in JSON lines {b, heads, seq, head_dim, fwd_s, fwd_bwd_s}", "attentionEfficiency", MeasurementReader.Attention));
        cmd.Subcommands.Add(HostCalibrationCommand.Create());
        cmd.Subcommands.Add(StackCalibrationCommand.Create());
        return cmd;
    }

    private static Command Sub(string name, string what, string jsonKey, Func<string, string, IReadOnlyList<KernelMeasurement>> read)
    {
        var file = new Argument<string>("FILE") { Description = "Measurements, one JSON object per line" };
        var gpu = new Option<string>("--gpu") { Description = "GPU the measurements were taken on (peak, HBM bandwidth and launch overhead come from its spec)", Required = true };
        var format = CommonOptions.Format();
        var cmd = new Command(name, $"Fit the {jsonKey} curve to {what}");
        cmd.Arguments.Add(file);
        cmd.Options.Add(gpu);
        cmd.Options.Add(format);
        cmd.SetAction(r =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            string path = r.GetValue(file)!;
            var spec = Catalog.Default.Gpu(r.GetValue(gpu)!);
            string text = InputFile.Read(path, "measurements");
            var all = read(text, path);
            // attention: forward and backward kernels are fitted separately (FlashAttention-2's backward runs at a lower efficiency)
            var groups = name == "attn"
                ? new[] { ("attentionEfficiency", all.Where(x => x.Label.EndsWith(" fwd", StringComparison.Ordinal)).ToArray()),
                          ("attentionBackwardEfficiency", all.Where(x => x.Label.EndsWith(" bwd", StringComparison.Ordinal)).ToArray()) }
                : new[] { (jsonKey, all.ToArray()) };
            foreach (var (key, rows) in groups)
            {
                var fit = EfficiencyFit.Fit(rows, spec, $"fitted by `parallelsim calibrate {name}` to {rows.Length} kernels in {Path.GetFileName(path)}");
                r.InvocationConfiguration.Output.Write(Render(rows, fit, spec, key, fmt));
            }
            return 0;
        });
        return cmd;
    }

    private static string Render(IReadOnlyList<KernelMeasurement> rows, EfficiencyFitResult fit, GpuSpec gpu, string jsonKey, OutputFormat fmt)
    {
        var c = fit.Curve;
        var table = new TextTable($"Fit on {gpu.Name}: max {F(c.Max, 4)}, half-efficiency size {F(c.HalfFlops / 1e9, 3)} GFLOP; MAPE {F(fit.MapePct, 2)}%, worst {F(fit.MaxAbsPct, 2)}% over {rows.Count} rows",
            "kernel", "GFLOP", "measured us", "predicted us", "error");
        foreach (var i in new[] { 1, 2, 3, 4 }) table.RightAligned.Add(i);
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            double predicted = row.Seconds * (1 + fit.RelativeErrors[i]);
            table.Add(row.Label, F(row.Flops / 1e9, 3), F(row.Seconds * 1e6, 2), F(predicted * 1e6, 2), (fit.RelativeErrors[i] >= 0 ? "+" : "") + F(fit.RelativeErrors[i] * 100, 2) + "%");
        }
        var sb = new StringBuilder(table.Render(fmt));
        if (fmt is OutputFormat.Table or OutputFormat.Markdown)
        {
            sb.Append($"\nPaste into configs/gpus/{gpu.Name.ToLowerInvariant()}.json:\n");
            sb.Append(Snippet(c, jsonKey)).Append('\n');
        }
        return sb.ToString();
    }

    public static string Snippet(EfficiencyCurve c, string jsonKey) => string.Create(CultureInfo.InvariantCulture,
        $"  \"{jsonKey}\": {{\n    \"max\": {c.Max:F4},\n    \"halfGflop\": {c.HalfFlops / 1e9:F3},\n    \"source\": \"{c.Source.Citation}\"\n  }},");
}
