using ScottPlot;

namespace ParallelSim.Plotting;

/// <summary>Bubble fraction against the number of micro-batches, one line per schedule.</summary>
public static class BubblePlot
{
    public static Plot Build(IReadOnlyList<BubbleSeries> series, string title)
    {
        var plt = PlotStyle.NewPlot(title, "micro-batches per step (m)", "bubble fraction (% of pipeline time)");
        var palette = new ScottPlot.Palettes.Category10();
        int i = 0;
        foreach (var s in series)
        {
            var sc = plt.Add.Scatter(s.MicroBatches.Select(m => (double)m).ToArray(), s.BubbleFractions.Select(b => b * 100).ToArray());
            sc.LegendText = s.Schedule;
            sc.Color = palette.GetColor(i++);
            sc.LineWidth = 2.5f;
            sc.MarkerSize = 8;
            // schedules with equal bubbles (GPipe and 1F1B) would hide each other: vary the line pattern too
            sc.LinePattern = (i % 3) switch { 1 => LinePattern.Solid, 2 => LinePattern.Dashed, _ => LinePattern.Dotted };
        }
        plt.Axes.SetLimitsY(0, Math.Max(1, series.SelectMany(s => s.BubbleFractions).DefaultIfEmpty(0).Max() * 110));
        plt.ShowLegend(Alignment.UpperRight);
        plt.Legend.FontSize = 13;
        return plt;
    }

    public static void Save(IReadOnlyList<BubbleSeries> series, string title, string path) =>
        PlotStyle.Save(Build(series, title), path, 1000, 620);
}
