using System.Globalization;
using ScottPlot;

namespace ParallelSim.Plotting;

/// <summary>The plan space at a glance: a tp-by-pp heatmap of the best objective, and a Pareto plot.</summary>
public static class SweepPlot
{
    public static Plot Heatmap(IReadOnlyList<HeatmapCell> cells, string objective, string title)
    {
        var plt = PlotStyle.NewPlot(title, "tensor-parallel size (tp)", "pipeline-parallel size (pp)");
        int[] tps = cells.Select(c => c.Tp).Distinct().Order().ToArray();
        int[] pps = cells.Select(c => c.Pp).Distinct().Order().ToArray();
        var values = new double[pps.Length, tps.Length];
        for (int r = 0; r < pps.Length; r++)
            for (int c = 0; c < tps.Length; c++) values[r, c] = double.NaN;
        foreach (var cell in cells)
        {
            int r = Array.IndexOf(pps, cell.Pp), c = Array.IndexOf(tps, cell.Tp);
            if (cell.Value is double v) values[r, c] = v;
        }
        var hm = plt.Add.Heatmap(values);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        hm.FlipVertically = true; // row i at y = i, pp grows upwards
        hm.NaNCellColor = Color.FromHex("#DDDDDD");
        plt.Add.ColorBar(hm); // the objective and its unit are in the title
        double lo = cells.Where(c => c.Value is not null).Select(c => c.Value!.Value).DefaultIfEmpty(0).Min();
        double hi = cells.Where(c => c.Value is not null).Select(c => c.Value!.Value).DefaultIfEmpty(1).Max();
        foreach (var cell in cells)
        {
            int r = Array.IndexOf(pps, cell.Pp), c = Array.IndexOf(tps, cell.Tp);
            string text = cell.Value is double v ? v.ToString(Math.Abs(v) >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture) : cell.Status.ToUpperInvariant();
            var t = plt.Add.Text(text, c, r);
            t.Alignment = Alignment.MiddleCenter;
            t.LabelFontSize = 12;
            bool bright = cell.Value is double x && hi > lo && (x - lo) / (hi - lo) > 0.6;
            t.LabelFontColor = cell.Value is null ? Colors.DimGray : bright ? Colors.Black : Colors.White;
        }
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(tps.Select((v, i) => new Tick(i, v.ToString(CultureInfo.InvariantCulture))).ToArray());
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(pps.Select((v, i) => new Tick(i, v.ToString(CultureInfo.InvariantCulture))).ToArray());
        plt.Axes.SetLimits(-0.5, tps.Length - 0.5, -0.5, pps.Length - 0.5);
        return plt;
    }

    public static Plot Pareto(IReadOnlyList<ParetoPoint> points, string title)
    {
        var plt = PlotStyle.NewPlot(title, "GPUs", "days to train the token budget");
        var all = plt.Add.ScatterPoints(points.Select(p => (double)p.Gpus).ToArray(), points.Select(p => p.DaysToTrain).ToArray());
        all.LegendText = "best plan per GPU count"; all.MarkerSize = 9; all.Color = Color.FromHex("#4E79A7");
        var front = points.Where(p => p.OnFront).OrderBy(p => p.Gpus).ToArray();
        if (front.Length > 0)
        {
            var line = plt.Add.Scatter(front.Select(p => (double)p.Gpus).ToArray(), front.Select(p => p.DaysToTrain).ToArray());
            line.LegendText = "Pareto front"; line.Color = Color.FromHex("#E15759"); line.LineWidth = 2; line.MarkerSize = 11;
        }
        foreach (var p in points)
        {
            var t = plt.Add.Text(p.Label, p.Gpus, p.DaysToTrain);
            t.Alignment = Alignment.LowerLeft; t.LabelFontSize = 11; t.OffsetX = 6; t.OffsetY = -4;
        }
        plt.ShowLegend(Alignment.UpperRight);
        plt.Axes.Margins(0.2, 0.2); // room for the plan labels right of the points
        return plt;
    }

    public static void SaveHeatmap(IReadOnlyList<HeatmapCell> cells, string objective, string title, string path) =>
        PlotStyle.Save(Heatmap(cells, objective, title), path, 1000, 700);

    public static void SavePareto(IReadOnlyList<ParetoPoint> points, string title, string path) =>
        PlotStyle.Save(Pareto(points, title), path, 1000, 650);
}
