using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelSim.Core.Explain;

namespace ParallelSim.Cli.Output;

/// <summary>Renders a worked answer as numbered steps (like a whiteboard) or as JSON {topic, steps, answer}.</summary>
public static class ExplanationReport
{
    public static string Render(Explanation e, OutputFormat format) =>
        format == OutputFormat.Json ? Json(e).ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n"
        : Text(e);

    public static string Text(Explanation e)
    {
        var sb = new StringBuilder();
        sb.Append("explain ").Append(e.Topic).Append('\n');
        int n = 0;
        foreach (var s in e.Steps)
        {
            if (s.Value is null)
            {
                sb.Append("  note: ").Append(s.Text).Append('\n');
                continue;
            }
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{++n,3}. ")).Append(s.Text).Append('\n');
            string value = Value(s.Value.Value);
            // a formula that already ends in its value ("|x|² = h = 768") is not followed by it again
            string line = s.Formula.Length == 0 ? value : s.Formula.EndsWith("= " + value, StringComparison.Ordinal) ? s.Formula : s.Formula + " = " + value;
            sb.Append("     ").Append(line).Append(s.Unit.Length > 0 ? " " + s.Unit : "");
            if (s.Source.Length > 0) sb.Append("   [").Append(s.Source).Append(']');
            sb.Append('\n');
        }
        sb.Append("answer: ").Append(e.Answer.Text).Append('\n');
        return sb.ToString();
    }

    /// <summary>4 significant digits; large and small magnitudes in exponent form.</summary>
    public static string Value(double v)
    {
        if (double.IsNaN(v)) return "n/a";
        double a = Math.Abs(v);
        if (a != 0 && (a >= 1e6 || a < 1e-3)) return v.ToString("0.###e0", CultureInfo.InvariantCulture);
        if (a >= 1e4) return v.ToString("0", CultureInfo.InvariantCulture);
        return v.ToString("G4", CultureInfo.InvariantCulture);
    }

    public static JsonObject Json(Explanation e) => new()
    {
        ["topic"] = e.Topic,
        ["steps"] = new JsonArray(e.Steps.Select(s => (JsonNode)new JsonObject
        {
            ["text"] = s.Text, ["formula"] = s.Formula, ["value"] = Number(s.Value), ["unit"] = s.Unit, ["source"] = s.Source,
        }).ToArray()),
        ["answer"] = new JsonObject { ["value"] = Number(e.Answer.Value), ["unit"] = e.Answer.Unit, ["text"] = e.Answer.Text },
    };

    private static JsonNode? Number(double? v) => v is double d && double.IsFinite(d) ? JsonValue.Create(d) : null;
}
