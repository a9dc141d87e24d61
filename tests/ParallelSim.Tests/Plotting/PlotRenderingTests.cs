using System.Text.RegularExpressions;
using System.Xml.Linq;
using ParallelSim.Plotting;

namespace ParallelSim.Tests.Plotting;

public class PlotRenderingTests
{
    private static readonly TimelinePanel Small = new("1f1b", 2,
    [
        new(0, 0, 1, BoxKind.Forward, "0"), new(0, 1, 2, BoxKind.Forward, "1"),
        new(1, 1, 2, BoxKind.Forward, "0"), new(1, 2, 4, BoxKind.Backward, "0"),
        new(1, 4, 5, BoxKind.Forward, "1"), new(1, 5, 7, BoxKind.Backward, "1"),
        new(0, 4, 6, BoxKind.Backward, "0"), new(0, 7, 9, BoxKind.Backward, "1"),
    ]);

    private static XDocument Parse(string svg) => XDocument.Parse(svg);
    private static IEnumerable<string> Texts(XDocument d) => d.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim());

    [Fact]
    public void A_font_is_registered_so_text_cannot_silently_vanish()
    {
        PlotStyle.EnsureFonts();
        Assert.Equal(PlotStyle.FontName, ScottPlot.Fonts.Default);
    }

    [Fact]
    public void Timeline_svg_has_title_axis_label_and_one_box_per_action()
    {
        var svg = Parse(TimelinePlot.Svg([Small], "1F1B, p = 2, m = 2"));
        var texts = Texts(svg).ToArray();
        Assert.Contains("1F1B, p = 2, m = 2", texts);
        Assert.Contains("time (ms)", texts);
        Assert.Contains("rank 0", texts);
        // one filled rectangle per action in its kind's colour (plus row backgrounds and legend swatches)
        string fwd = PlotStyle.Forward.ToHex().ToLowerInvariant()[..7], bwd = PlotStyle.Backward.ToHex().ToLowerInvariant()[..7];
        int Count(string hex) => Regex.Matches(svg.ToString().ToLowerInvariant(), $"fill=\"{hex}").Count;
        Assert.Equal(4 + 1, Count(fwd)); // four forwards and the legend swatch
        Assert.Equal(4 + 1, Count(bwd));
    }

    [Fact]
    public void Memory_plot_marks_a_bar_over_capacity()
    {
        var svg = MemoryPlot.Build([new("0", 5, 10, 30, 9, 1), new("1", 5, 10, 30, 40, 1)], 80, "Memory per GPU by stage").GetSvgXml(900, 650);
        var texts = Texts(Parse(svg)).ToArray();
        Assert.Contains("Memory per GPU by stage", texts);
        Assert.Contains("memory per GPU (GiB)", texts);
        Assert.Contains("OVER 86.0", texts);
        Assert.Contains("55.0", texts);
        Assert.Contains("capacity 80 GiB", texts);
    }

    [Fact]
    public void Bubble_plot_has_a_legend_entry_per_schedule()
    {
        var svg = BubblePlot.Build([new("gpipe", [8, 16], [0.4, 0.3]), new("1f1b", [8, 16], [0.4, 0.3])], "Bubble, p = 4").GetSvgXml(1000, 620);
        var texts = Texts(Parse(svg)).ToArray();
        Assert.Contains("gpipe", texts);
        Assert.Contains("1f1b", texts);
        Assert.Contains("micro-batches per step (m)", texts);
    }

    [Fact]
    public void Heatmap_labels_cells_that_do_not_fit()
    {
        var svg = SweepPlot.Heatmap([new(1, 1, null, "oom"), new(8, 1, 45.5, "ok"), new(1, 2, null, "invalid"), new(8, 2, 50, "ok")],
            "MFU (%)", "Best MFU (%) per tp and pp").GetSvgXml(1000, 700);
        var texts = Texts(Parse(svg)).ToArray();
        Assert.Contains("OOM", texts);
        Assert.Contains("INVALID", texts);
        Assert.Contains("45.5", texts);
        Assert.Contains("tensor-parallel size (tp)", texts);
    }

    [Fact]
    public void Pareto_plot_labels_each_point_and_the_front()
    {
        var svg = SweepPlot.Pareto([new(512, 38.2, "tp4 pp8 dp16", true), new(1024, 19.4, "tp4 pp8 dp32", true), new(2048, 25, "tp8 pp16 dp16", false)],
            "GPUs vs days to train 300B tokens").GetSvgXml(1000, 650);
        var texts = Texts(Parse(svg)).ToArray();
        Assert.Contains("GPUs vs days to train 300B tokens", texts);
        Assert.Contains("days to train the token budget", texts);
        Assert.Contains("GPUs", texts);
        Assert.Contains("Pareto front", texts);
        Assert.Contains("tp8 pp16 dp16", texts);
    }

    [Fact]
    public void Validation_plot_names_each_suite_and_the_tolerance()
    {
        var svg = ValidationPlot.Svg([new("Table 5", "22B", 1.1, 1.05, 10, "s"), new("Table 5", "175B", 13.75, 14, 10, "s"), new("ZeRO", "x", 120, 120, 1, "GB")]);
        var texts = Texts(Parse(svg)).ToArray();
        Assert.Contains(texts, t => t.StartsWith("Table 5 (MAPE", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("ZeRO (MAPE", StringComparison.Ordinal));
        Assert.Contains("±10% tolerance", texts);
        Assert.Contains("published (s)", texts);
        Assert.Contains("predicted (GB)", texts);
    }
}
