using ScottPlot;

namespace ParallelSim.Plotting;

/// <summary>
/// Shared look: the bundled DejaVu Sans (SkiaSharp reads only /usr/share/fonts, and without a font
/// every label silently vanishes), sizes readable at the saved size, and saving by extension.
/// </summary>
public static class PlotStyle
{
    public const string FontName = "DejaVu Sans";
    private static readonly object Gate = new();
    private static bool _ready;

    public static readonly Color Forward = Color.FromHex("#F28E2B");
    public static readonly Color Backward = Color.FromHex("#4E79A7");
    public static readonly Color BackwardInput = Color.FromHex("#76B7B2");
    public static readonly Color BackwardWeight = Color.FromHex("#59A14F");
    public static readonly Color Comm = Color.FromHex("#BAB0AC");
    public static readonly Color Idle = Color.FromHex("#F4F4F4");

    /// <summary>Registers the bundled font once, before any plot is made.</summary>
    public static void EnsureFonts()
    {
        lock (Gate)
        {
            if (_ready) return;
            string dir = Path.Combine(AppContext.BaseDirectory, "fonts");
            string regular = Path.Combine(dir, "DejaVuSans.ttf"), bold = Path.Combine(dir, "DejaVuSans-Bold.ttf");
            if (File.Exists(regular)) Fonts.AddFontFile(FontName, regular, bold: false, italic: false);
            if (File.Exists(bold)) Fonts.AddFontFile(FontName, bold, bold: true, italic: false);
            Fonts.Default = FontName;
            _ready = true;
        }
    }

    public static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        EnsureFonts();
        var plt = new Plot();
        plt.Title(title, size: 18);
        plt.XLabel(xLabel, size: 15);
        plt.YLabel(yLabel, size: 15);
        plt.Axes.Bottom.TickLabelStyle.FontSize = 13;
        plt.Axes.Left.TickLabelStyle.FontSize = 13;
        return plt;
    }

    public static Color For(BoxKind kind) => kind switch
    {
        BoxKind.Forward => Forward,
        BoxKind.Backward => Backward,
        BoxKind.BackwardInput => BackwardInput,
        BoxKind.BackwardWeight => BackwardWeight,
        _ => Comm,
    };

    /// <summary>Saves as PNG or SVG by the file's extension.</summary>
    public static void Save(Plot plt, string path, int width, int height)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        switch (ext)
        {
            case ".png": plt.SavePng(path, width, height); break;
            case ".svg": plt.SaveSvg(path, width, height); break;
            default: throw new ArgumentException($"plot file '{path}' must end in .png or .svg");
        }
    }
}
