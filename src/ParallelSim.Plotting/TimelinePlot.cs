using System.Globalization;
using ScottPlot;

namespace ParallelSim.Plotting;

/// <summary>
/// Pipeline timelines: one row per rank, compute boxes coloured by kind with the micro-batch inside when
/// it fits, sends and receives as thin grey bars, idle time as the pale row background. Several panels
/// (one per schedule) stack on one shared time axis.
/// </summary>
public static class TimelinePlot
{
    public const int DefaultWidth = 1400;

    public static Plot Build(IReadOnlyList<TimelinePanel> panels, string title, int widthPx = DefaultWidth)
    {
        var plt = PlotStyle.NewPlot(title, "time (ms)", "");
        double end = panels.SelectMany(p => p.Boxes).Select(b => b.EndMs).DefaultIfEmpty(1).Max();
        double pxPerMs = (widthPx - 400) / end;
        var ticks = new List<Tick>();
        var kinds = new HashSet<BoxKind>();
        int row = 0;
        foreach (var panel in panels)
        {
            for (int r = 0; r < panel.Ranks; r++, row++)
            {
                // the whole row in the idle colour: whatever no box covers is bubble
                var idle = plt.Add.Rectangle(0, end, row - 0.45, row + 0.45);
                idle.FillColor = PlotStyle.Idle; idle.LineWidth = 0;
                string name = panels.Count > 1 ? $"{panel.Title} r{r}" : $"rank {r}";
                ticks.Add(new Tick(row, name));
                foreach (var b in panel.Boxes.Where(b => b.Rank == r))
                {
                    kinds.Add(b.Kind);
                    bool comm = b.Kind is BoxKind.Send or BoxKind.Receive;
                    double bottom = comm ? row + 0.28 : row - 0.4, top = comm ? row + 0.42 : row + 0.25;
                    var rect = plt.Add.Rectangle(b.StartMs, b.EndMs, bottom, top);
                    rect.FillColor = PlotStyle.For(b.Kind);
                    rect.LineColor = Colors.Black.WithAlpha(comm ? 0 : 0.6);
                    rect.LineWidth = comm ? 0 : 0.5f;
                    if (!comm && (b.EndMs - b.StartMs) * pxPerMs >= 7 * Math.Max(1, b.Label.Length) + 2)
                    {
                        var t = plt.Add.Text(b.Label, (b.StartMs + b.EndMs) / 2, (bottom + top) / 2);
                        t.Alignment = Alignment.MiddleCenter;
                        t.LabelFontSize = 11;
                        t.LabelFontColor = Colors.Black;
                    }
                }
            }
            row++; // a gap between panels
        }
        row--; // no gap after the last panel
        plt.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray());
        plt.Axes.Left.MajorTickStyle.Length = 0;
        plt.Axes.SetLimits(0, end * 1.01, row - 0.5, -0.6);
        plt.Grid.MajorLineColor = Colors.Transparent;

        plt.Legend.FontSize = 12;
        foreach (var (kind, label) in new[] { (BoxKind.Forward, "forward (F)"), (BoxKind.Backward, "backward (B)"),
                     (BoxKind.BackwardInput, "backward, inputs (I)"), (BoxKind.BackwardWeight, "backward, weights (W)") })
            if (kinds.Contains(kind)) plt.Legend.ManualItems.Add(new LegendItem { LabelText = label, FillColor = PlotStyle.For(kind) });
        if (kinds.Contains(BoxKind.Send) || kinds.Contains(BoxKind.Receive))
            plt.Legend.ManualItems.Add(new LegendItem { LabelText = "send / receive", FillColor = PlotStyle.Comm });
        plt.Legend.ManualItems.Add(new LegendItem { LabelText = "idle (bubble)", FillColor = PlotStyle.Idle, OutlineColor = Colors.Gray });
        plt.ShowLegend(Edge.Right); // outside the data area, so it never hides a box
        return plt;
    }

    public static void Save(IReadOnlyList<TimelinePanel> panels, string title, string path)
    {
        int rows = panels.Sum(p => p.Ranks + 1);
        int height = Math.Clamp(150 + 44 * rows, 300, 2400);
        PlotStyle.Save(Build(panels, title), path, DefaultWidth, height);
    }

    public static string Svg(IReadOnlyList<TimelinePanel> panels, string title) =>
        Build(panels, title).GetSvgXml(DefaultWidth, Math.Clamp(150 + 44 * panels.Sum(p => p.Ranks + 1), 300, 2400));

    public static string Ms(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
