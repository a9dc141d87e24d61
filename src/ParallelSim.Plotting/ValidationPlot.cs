using System.Globalization;
using ScottPlot;

namespace ParallelSim.Plotting;

/// <summary>
/// Predicted against published, one marker per case coloured by suite, on log-log axes (suites have
/// different units), with the y = x line and each stated tolerance as a dashed band.
/// </summary>
public static class ValidationPlot
{
    public static Plot Build(IReadOnlyList<ValidationPoint> points, string title)
    {
        var plt = PlotStyle.NewPlot(title, "published value (log scale, suite's unit)", "predicted value (log scale)");
        var positive = points.Where(p => p.Published > 0 && p.Predicted > 0).ToArray();
        double lo = positive.Select(p => Math.Min(p.Published, p.Predicted)).DefaultIfEmpty(0.1).Min();
        double hi = positive.Select(p => Math.Max(p.Published, p.Predicted)).DefaultIfEmpty(10).Max();
        double a = Math.Log10(lo) - 0.15, b = Math.Log10(hi) + 0.15;

        var diag = plt.Add.Line(a, a, b, b);
        diag.Color = Colors.Black; diag.LineWidth = 1.5f; diag.LegendText = "predicted = published";
        foreach (var tol in positive.Select(p => p.TolerancePct).Distinct().Order())
        {
            double up = Math.Log10(1 + tol / 100), down = Math.Log10(Math.Max(1e-9, 1 - tol / 100));
            var l1 = plt.Add.Line(a, a + up, b, b + up); var l2 = plt.Add.Line(a, a + down, b, b + down);
            foreach (var l in new[] { l1, l2 }) { l.Color = Colors.Gray.WithAlpha(0.8); l.LinePattern = LinePattern.Dashed; l.LineWidth = 1; }
            l1.LegendText = $"±{tol.ToString("0.#", CultureInfo.InvariantCulture)}% tolerance";
        }
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var suite in positive.GroupBy(p => p.Suite))
        {
            var sp = plt.Add.ScatterPoints(suite.Select(p => Math.Log10(p.Published)).ToArray(), suite.Select(p => Math.Log10(p.Predicted)).ToArray());
            sp.LegendText = suite.Key; sp.MarkerSize = 9; sp.Color = palette.GetColor(i++);
        }
        var ticks = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture),
        };
        plt.Axes.Bottom.TickGenerator = ticks;
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = v => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture),
        };
        plt.Axes.SetLimits(a, b, a, b);
        plt.ShowLegend(Alignment.UpperLeft);
        plt.Legend.FontSize = 12;
        return plt;
    }

    public static void Save(IReadOnlyList<ValidationPoint> points, string title, string path) =>
        PlotStyle.Save(Build(points, title), path, 900, 820);
}
