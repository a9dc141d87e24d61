using System.Globalization;

namespace ParallelSim.Core.Explain;

/// <summary>Collects the steps of a derivation; numbers in formulas are written in the invariant culture.</summary>
public sealed class StepList
{
    private readonly List<ExplainStep> _steps = [];
    public IReadOnlyList<ExplainStep> Steps => _steps;

    /// <summary>Adds a step and returns its value, so derivations read as a chain of named results.</summary>
    public double Add(string text, string formula, double value, string unit, string source)
    {
        _steps.Add(new ExplainStep(text, formula, value, unit, source));
        return value;
    }

    /// <summary>A step without a number: an assumption, a caveat, or what a real run does differently.</summary>
    public void Note(string text, string source = "") => _steps.Add(new ExplainStep(text, "", null, "", source));

    public Explanation Answer(string topic, double value, string unit, string text) => new(topic, _steps, new ExplainAnswer(value, unit, text));

    /// <summary>A number with 4 significant digits (invariant culture), for substituted formulas.</summary>
    public static string G(double v)
    {
        double a = Math.Abs(v);
        if (a >= 1e6) return E(v);
        if (a >= 1e4) return v.ToString("0", CultureInfo.InvariantCulture);
        return v.ToString("G4", CultureInfo.InvariantCulture);
    }

    /// <summary>A number with fixed decimals (invariant culture).</summary>
    public static string F(double v, int decimals = 2) => v.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>Large counts in engineering form: 1.75e11.</summary>
    public static string E(double v) => v.ToString("0.###e0", CultureInfo.InvariantCulture);
}
