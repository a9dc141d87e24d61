using System.Globalization;
using ScottPlot;

namespace ParallelSim.Plotting;

/// <summary>Stacked memory per pipeline stage with the GPU's capacity as a line; bars over it are marked.</summary>
public static class MemoryPlot
{
    private static readonly (string Name, Color Color)[] Parts =
    [
        ("weights", Color.FromHex("#4E79A7")), ("gradients", Color.FromHex("#F28E2B")), ("optimizer states", Color.FromHex("#E15759")),
        ("activations", Color.FromHex("#76B7B2")), ("other (logits, context, buffers)", Color.FromHex("#BAB0AC")),
    ];

    public static Plot Build(IReadOnlyList<MemoryBar> bars, double capacityGiB, string title)
    {
        var plt = PlotStyle.NewPlot(title, "pipeline stage", "memory per GPU (GiB)");
        var list = new List<Bar>();
        for (int i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            double[] parts = [b.WeightsGiB, b.GradientsGiB, b.OptimizerGiB, b.ActivationsGiB, b.OtherGiB];
            double bottom = 0;
            for (int k = 0; k < parts.Length; k++)
            {
                list.Add(new Bar { Position = i, ValueBase = bottom, Value = bottom + parts[k], FillColor = Parts[k].Color, LineWidth = 0 });
                bottom += parts[k];
            }
            bool over = b.TotalGiB > capacityGiB;
            if (over)
            {
                // an over-capacity bar gets a red frame and a label
                list.Add(new Bar { Position = i, ValueBase = 0, Value = bottom, FillColor = Colors.Transparent, LineColor = Colors.Red, LineWidth = 3 });
            }
            var t = plt.Add.Text((over ? "OVER " : "") + b.TotalGiB.ToString("0.0", CultureInfo.InvariantCulture), i, bottom);
            t.Alignment = Alignment.LowerCenter;
            t.LabelFontSize = 12;
            t.LabelFontColor = over ? Colors.Red : Colors.Black;
            t.LabelBold = over;
        }
        plt.Add.Bars(list);
        var cap = plt.Add.HorizontalLine(capacityGiB);
        cap.Color = Colors.Black; cap.LinePattern = LinePattern.Dashed; cap.LineWidth = 2;
        cap.LegendText = $"capacity {capacityGiB.ToString("0.#", CultureInfo.InvariantCulture)} GiB";
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            bars.Select((b, i) => new Tick(i, b.Label)).ToArray());
        double top = Math.Max(capacityGiB, bars.Select(b => b.TotalGiB).DefaultIfEmpty(0).Max()) * 1.45; // room for the legend above the bars
        plt.Axes.SetLimits(-0.6, bars.Count - 0.4, 0, top);
        foreach (var (name, color) in Parts) plt.Legend.ManualItems.Add(new LegendItem { LabelText = name, FillColor = color });
        plt.ShowLegend(Alignment.UpperRight);
        plt.Legend.FontSize = 12;
        return plt;
    }

    public static void Save(IReadOnlyList<MemoryBar> bars, double capacityGiB, string title, string path) =>
        PlotStyle.Save(Build(bars, capacityGiB, title), path, Math.Max(Math.Max(900, 90 * bars.Count + 300), 11 * title.Length + 80), 650);
}
