namespace ParallelSim.Core.Validation;

/// <summary>The MAPE over every case of the suites with one label.</summary>
/// <param name="TimeCases">how many of the cases depend on time (the rest are memory)</param>
public sealed record SampleMape(SampleLabel Label, int Suites, int Cases, int TimeCases, double MapePct);

/// <summary>In-sample against out-of-sample agreement: all cases of the suites of each label pooled (not the mean of suite MAPEs).</summary>
public static class SampleSummary
{
    /// <summary>One entry per label present, in the order in sample, out of sample, unlabelled.</summary>
    public static IReadOnlyList<SampleMape> Of(IReadOnlyList<SuiteOutcome> outcomes) =>
        new[] { SampleLabel.InSample, SampleLabel.OutOfSample, SampleLabel.Unlabelled }
            .Select(l => (Label: l, Suites: outcomes.Where(o => o.Suite.Sample == l).ToArray()))
            .Where(g => g.Suites.Length > 0)
            .Select(g =>
            {
                var cases = g.Suites.SelectMany(o => o.Cases).ToArray();
                return new SampleMape(g.Label, g.Suites.Length, cases.Length, cases.Count(c => c.Case.Metric.DependsOnTime()),
                    cases.Length == 0 ? double.NaN : cases.Average(c => Math.Abs(c.ErrorPct)));
            }).ToArray();
}
