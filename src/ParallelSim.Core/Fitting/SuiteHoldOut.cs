using ParallelSim.Core.Stack;
using ParallelSim.Core.Validation;

namespace ParallelSim.Core.Fitting;

/// <summary>One suite predicted by stack factors fitted to the other suites.</summary>
/// <param name="TimeCases">the suite's cases that depend on time (the only ones a factor moves; both MAPEs are over them)</param>
/// <param name="ShippedMapePct">MAPE of those cases with each case's stack as shipped</param>
/// <param name="HeldOutMapePct">MAPE of those cases with the factors fitted to the other suites (null: nothing to fit to, or no case)</param>
/// <param name="Fit">the fit to the other suites' time-dependent cases (null when they have none)</param>
/// <param name="Kept">factors no case of the other suites depends on, left at each case's own value</param>
public sealed record SuiteHoldOutResult(ReferenceSuite Suite, int TimeCases, double? ShippedMapePct, double? HeldOutMapePct, StackFitResult? Fit,
    IReadOnlyList<StackFactor> Kept);

/// <summary>
/// Leave one suite out: for each suite in turn, the stack factors (<see cref="StackCalibration"/>) are fitted to the time-dependent
/// cases of all the other suites and the suite is predicted with them, so a suite's held-out MAPE owes nothing to its own numbers.
/// Suites without time-dependent cases share one fit, to every other suite's.
/// </summary>
public static class SuiteHoldOut
{
    public static IReadOnlyList<SuiteHoldOutResult> Run(IReadOnlyList<ReferenceSuite> suites, Func<ReferenceCase, StackSpec, double> predict,
        StackFitSettings settings)
    {
        var usable = suites.Select(s => StackCalibration.Usable(s.Cases)).ToArray();
        var shared = new Dictionary<int, (StackFitResult?, IReadOnlyList<StackFactor>)>();
        var results = new List<SuiteHoldOutResult>();
        for (int k = 0; k < suites.Count; k++)
        {
            // every suite without time cases trains on the same set: all the others' cases
            int key = usable[k].Count == 0 ? -1 : k;
            if (!shared.TryGetValue(key, out var fitted))
            {
                var train = usable.Where((_, i) => i != k).SelectMany(c => c).ToArray();
                shared[key] = fitted = FitTo(train, predict, settings);
            }
            var (fit, kept) = fitted;
            var cases = usable[k];
            double? shipped = cases.Count == 0 ? null : Mape(cases, c => predict(c, StackCalibration.StackOf(c)));
            double? held = cases.Count == 0 || fit is null ? null : Mape(cases, c => predict(c, fit.Factors.Apply(StackCalibration.StackOf(c))));
            results.Add(new SuiteHoldOutResult(suites[k], cases.Count, shipped, held, fit, kept));
        }
        return results;
    }

    private static (StackFitResult?, IReadOnlyList<StackFactor>) FitTo(IReadOnlyList<ReferenceCase> train, Func<ReferenceCase, StackSpec, double> predict,
        StackFitSettings settings)
    {
        if (train.Count == 0) return (null, []);
        var kept = StackCalibration.Immovable(train, predict, settings.Free);
        var free = settings.Free.Except(kept).ToArray();
        return (StackCalibration.Fit(train, predict, settings with { Free = free }), kept);
    }

    private static double Mape(IReadOnlyList<ReferenceCase> cases, Func<ReferenceCase, double> predict)
    {
        var p = new double[cases.Count];
        Parallel.For(0, cases.Count, i => p[i] = predict(cases[i]));
        return cases.Select((c, i) => Math.Abs((p[i] - c.Expected) / c.Expected * 100)).Average();
    }
}
