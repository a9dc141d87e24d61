using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Validation;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// `parallelsim calibrate host TRAIN.jsonl [--gpu NAME]`: fits the host terms (kernel launch time, checkpointed-layer
/// overhead) to measured training steps in the format of configs/calibration/h200/train.jsonl, and shows each row's
/// step-time error with the current terms and with the fitted ones.
/// </summary>
public static class HostCalibrationCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Training measurements, one JSON object per line (configs/calibration/h200/train.jsonl's format)" };
        var gpu = new Option<string?>("--gpu") { Description = $"GPU of rows that do not name one [default: {UserSuites.DefaultMeasurementGpu}]" };
        var format = CommonOptions.Format();
        var cmd = new Command("host", "Fit the host launch time per kernel and the checkpointed-layer overhead to measured training steps");
        cmd.Arguments.Add(file);
        cmd.Options.Add(gpu);
        cmd.Options.Add(format);
        cmd.SetAction(r =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            string path = r.GetValue(file)!;
            var suites = UserSuites.Load([], [], [path], r.GetValue(gpu), null, Catalog.Default);
            var cases = suites.SelectMany(s => s.Cases).Where(c => c.Metric == ReferenceMetric.IterationSeconds).ToArray();
            if (cases.Length < 2) throw new UserInputException($"{path}: at least two rows with iter_s are needed (found {cases.Length})");
            var rows = cases.Select(c => new HostCalibrationRow(c.Name, c.Inputs.Model!, c.Inputs.Cluster!, c.Inputs.Plan, c.Inputs.Options,
                new Core.Units.Seconds(c.Expected))).ToArray();
            var fit = HostCalibration.Fit(rows);
            r.InvocationConfiguration.Output.Write(Render(rows, fit, fmt));
            return 0;
        });
        return cmd;
    }

    private static string Render(IReadOnlyList<HostCalibrationRow> rows, HostCalibrationResult fit, OutputFormat fmt)
    {
        var table = new TextTable(
            $"Host terms fitted to {rows.Count} steps: {F(fit.DispatchPerKernel.Value * 1e6, 1)} us per kernel launch, " +
            $"{F(fit.CheckpointPerLayer.Value * 1e6, 0)} us per checkpointed layer; step-time MAPE {F(fit.MapeBeforePct, 2)}% -> {F(fit.MapePct, 2)}%",
            "row", "measured ms", "before ms", "before error", "fitted ms", "fitted error");
        foreach (var i in new[] { 1, 2, 3, 4, 5 }) table.RightAligned.Add(i);
        for (int i = 0; i < rows.Count; i++)
        {
            double m = rows[i].Measured.Value * 1e3, b = m * (1 + fit.RelativeErrorsBefore[i]), a = m * (1 + fit.RelativeErrors[i]);
            table.Add(rows[i].Name, F(m, 2), F(b, 2), Pct(fit.RelativeErrorsBefore[i]), F(a, 2), Pct(fit.RelativeErrors[i]));
        }
        string text = table.Render(fmt);
        if (fmt is OutputFormat.Table or OutputFormat.Markdown)
            text += $"\nThe defaults are CostOptions.DefaultHostDispatchMicroseconds = {F(fit.DispatchPerKernel.Value * 1e6, 1)} and " +
                    $"DefaultCheckpointHostMicroseconds = {F(fit.CheckpointPerLayer.Value * 1e6, 0)} when this file is configs/calibration/h200/train.jsonl.\n";
        return text;
    }

    private static string Pct(double e) => (e >= 0 ? "+" : "") + F(e * 100, 2) + "%";
}
