using System.Globalization;
using ScottPlot;

namespace ParallelSim.Plotting;

/// <summary>
/// Predicted against published, one panel per suite in the suite's own unit (their ranges differ by orders
/// of magnitude), one marker per case coloured by suite, the y = x line and the stated tolerance as a band.
/// Panels with values over more than two decades use log axes.
/// </summary>
public static class ValidationPlot
{
    public const int PanelWidth = 520, PanelHeight = 420;

    public static IReadOnlyList<Plot> Panels(IReadOnlyList<ValidationPoint> points)
    {
        var palette = new ScottPlot.Palettes.Category10();
        var panels = new List<Plot>();
        int i = 0;
        // one panel per suite and unit: a suite that checks two quantities (throughput and memory) gets two panels
        var groups = points.Where(p => p.Published > 0 && p.Predicted > 0).GroupBy(p => (p.Suite, p.Unit)).ToArray();
        foreach (var suite in groups)
        {
            var pts = suite.ToArray();
            string unit = suite.Key.Unit;
            bool split = groups.Count(g => g.Key.Suite == suite.Key.Suite) > 1;
            double mape = pts.Average(p => Math.Abs(p.Predicted / p.Published - 1)) * 100;
            var plt = PlotStyle.NewPlot($"{suite.Key.Suite}{(split ? ", " + unit : "")} (MAPE {mape.ToString("0.0", CultureInfo.InvariantCulture)}%)",
                $"published ({unit})", $"predicted ({unit})");
            plt.Axes.Title.Label.FontSize = 14;
            double lo = pts.Min(p => Math.Min(p.Published, p.Predicted)), hi = pts.Max(p => Math.Max(p.Published, p.Predicted));
            bool log = hi / lo > 100;
            Func<double, double> f = log ? Math.Log10 : v => v;
            double a = log ? Math.Log10(lo) - 0.2 : lo - (hi - lo) * 0.08, b = log ? Math.Log10(hi) + 0.2 : hi + (hi - lo) * 0.08;
            if (!log && a < 0) a = 0;

            // the tolerance band around y = x (the suite's stated per-case tolerance, or its MAPE limit)
            double tol = pts.Max(p => p.TolerancePct) / 100;
            if (tol > 0)
            {
                double[] xs = Enumerable.Range(0, 41).Select(k => a + (b - a) * k / 40).ToArray();
                double Up(double x) => log ? x + Math.Log10(1 + tol) : x * (1 + tol);
                double Down(double x) => log ? x + Math.Log10(Math.Max(1e-9, 1 - tol)) : x * (1 - tol);
                var band = plt.Add.Polygon(xs.Select(x => new Coordinates(x, Up(x))).Concat(xs.Reverse().Select(x => new Coordinates(x, Down(x)))).ToArray());
                band.FillColor = Colors.Gray.WithAlpha(0.18); band.LineWidth = 0;
                band.LegendText = $"±{(tol * 100).ToString("0.#", CultureInfo.InvariantCulture)}% tolerance";
            }
            var diag = plt.Add.Line(a, a, b, b);
            diag.Color = Colors.Black; diag.LineWidth = 1.2f; diag.LegendText = "predicted = published";
            var sc = plt.Add.ScatterPoints(pts.Select(p => f(p.Published)).ToArray(), pts.Select(p => f(p.Predicted)).ToArray());
            sc.Color = palette.GetColor(i++); sc.MarkerSize = 8; sc.LegendText = $"{pts.Length} cases";
            if (log)
            {
                static string Pow(double v) => Math.Pow(10, v).ToString("G3", CultureInfo.InvariantCulture);
                plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Pow };
                plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = Pow };
                plt.XLabel($"published ({unit}, log scale)", size: 15);
            }
            plt.Axes.SetLimits(a, b, a, b);
            plt.ShowLegend(Alignment.LowerRight); // below the diagonal's far end, where markers rarely are
            plt.Legend.FontSize = 11;
            panels.Add(plt);
        }
        return panels;
    }

    private static int Columns(int n) => n <= 2 ? n : n <= 4 ? 2 : 3;

    /// <summary>All panels in a grid: PNG through ScottPlot's Multiplot, SVG by nesting each panel's SVG.</summary>
    public static void Save(IReadOnlyList<ValidationPoint> points, string path)
    {
        var panels = Panels(points);
        if (panels.Count == 0) throw new ArgumentException("no validation case has positive published and predicted values to plot");
        int cols = Math.Max(1, Columns(panels.Count)), rows = Math.Max(1, (panels.Count + cols - 1) / cols);
        if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase))
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            File.WriteAllText(path, Svg(panels, cols, rows));
            return;
        }
        var mp = new Multiplot();
        mp.Reset(panels[0]); // a new Multiplot holds one empty plot: replace it
        foreach (var p in panels.Skip(1)) mp.AddPlot(p);
        mp.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, cols);
        string? d = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(d)) Directory.CreateDirectory(d);
        mp.SavePng(path, cols * PanelWidth, rows * PanelHeight);
    }

    public static string Svg(IReadOnlyList<ValidationPoint> points)
    {
        var panels = Panels(points);
        int cols = Math.Max(1, Columns(panels.Count));
        return Svg(panels, cols, Math.Max(1, (panels.Count + cols - 1) / cols));
    }

    private static string Svg(IReadOnlyList<Plot> panels, int cols, int rows)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{cols * PanelWidth}\" height=\"{rows * PanelHeight}\">");
        for (int k = 0; k < panels.Count; k++)
        {
            string inner = panels[k].GetSvgXml(PanelWidth, PanelHeight);
            int start = inner.IndexOf("<svg", StringComparison.Ordinal);
            inner = inner[start..];
            // place the panel: a nested <svg> with x and y
            inner = "<svg x=\"" + (k % cols * PanelWidth).ToString(CultureInfo.InvariantCulture) + "\" y=\"" +
                    (k / cols * PanelHeight).ToString(CultureInfo.InvariantCulture) + "\" " + inner[4..];
            // clip-path ids repeat across panels: make them unique
            inner = inner.Replace("id=\"cl_", $"id=\"p{k}cl_").Replace("url(#cl_", $"url(#p{k}cl_");
            sb.Append(inner);
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
