using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using ParallelSim.Core.Stack;
using ParallelSim.Core.Validation;

namespace ParallelSim.Core.Fitting;

/// <summary>A case predicted on its own stack (before) and on the fitted one (after).</summary>
public sealed record CaseFit(ReferenceCase Case, double Before, double After)
{
    public double ErrorBeforePct => (Before - Case.Expected) / Case.Expected * 100;
    public double ErrorAfterPct => (After - Case.Expected) / Case.Expected * 100;
}

/// <param name="Free">the factors to fit; the others keep each case's own value</param>
/// <param name="MaxIterations">Nelder-Mead iterations at most (each one to four evaluations of every case); the best point seen is kept</param>
/// <param name="Tolerance">stop when the simplex's losses agree to this relative spread</param>
/// <param name="Parallel">predict the cases of one evaluation on all cores (the sum is still taken in case order)</param>
public sealed record StackFitSettings(IReadOnlyList<StackFactor> Free, int MaxIterations = 1000, double Tolerance = 1e-10, bool Parallel = true);

/// <summary>The fitted factors and every case before and after.</summary>
public sealed record StackFitResult(StackFactors Factors, IReadOnlyList<StackFactor> Free, IReadOnlyList<CaseFit> Cases, int Evaluations, bool Converged)
{
    public double MapeBeforePct => StackCalibration.MapePct(Cases.Select(c => c.ErrorBeforePct));
    public double MapePct => StackCalibration.MapePct(Cases.Select(c => c.ErrorAfterPct));
}

/// <summary>
/// Fits a stack's speed factors (<see cref="StackFactor"/>: GEMM derate, attention derate, NIC efficiency) to published cases whose
/// metric depends on time: minimises Σ ln(predicted / published)² (every case weighs the same whatever its unit or size, and a
/// factor's effect is multiplicative) with MathNet's Nelder-Mead simplex over the logarithms of the factors, each kept within
/// <see cref="StackFactorInfo.Bounds"/>. Each case is predicted on its own stack with the free factors replaced
/// (<see cref="StackFactors.Apply"/>); the predictor is the caller's, so the event simulator can be used without Core knowing it.
/// </summary>
public static class StackCalibration
{
    /// <summary>The cases a speed factor can move: time, throughput, MFU, HFU and FLOP rates (memory cases are left out).</summary>
    public static IReadOnlyList<ReferenceCase> Usable(IEnumerable<ReferenceCase> cases) => cases.Where(c => c.Metric.DependsOnTime()).ToArray();

    /// <summary>The stack a case runs on.</summary>
    public static StackSpec StackOf(ReferenceCase c) => c.Inputs.Options.Stack;

    public static double MapePct(IEnumerable<double> errorsPct)
    {
        var e = errorsPct.ToArray();
        return e.Length == 0 ? double.NaN : e.Average(Math.Abs);
    }

    /// <summary>
    /// The factors that move no case: each case predicted with the factor at its lower bound (at its upper bound when the case's own
    /// value is the lower bound) against its own value. The NIC factor of single-node runs is the common one.
    /// </summary>
    public static IReadOnlyList<StackFactor> Immovable(IReadOnlyList<ReferenceCase> cases, Func<ReferenceCase, StackSpec, double> predict,
        IEnumerable<StackFactor> factors)
    {
        var still = new List<StackFactor>();
        foreach (var f in factors)
        {
            var (min, max) = StackFactorInfo.Bounds(f);
            bool moves = cases.Any(c =>
            {
                var own = StackOf(c);
                double v = StackFactorInfo.Of(own, f), probe = v > min ? min : max;
                double a = predict(c, own), b = predict(c, StackFactorInfo.With(own, f, probe));
                // a change below 1e-9 relative is rounding, not dependence
                return Math.Abs(b - a) > 1e-9 * Math.Abs(a);
            });
            if (!moves) still.Add(f);
        }
        return still;
    }

    public static StackFitResult Fit(IReadOnlyList<ReferenceCase> cases, Func<ReferenceCase, StackSpec, double> predict, StackFitSettings settings)
    {
        if (cases.Count == 0) throw new ArgumentException("a stack fit needs at least one case");
        var before = Predictions(cases, predict, StackFactors.None, settings.Parallel);
        var free = settings.Free.Distinct().ToArray();
        if (free.Length == 0) return Result(StackFactors.None, 0, true);

        // start: the geometric mean of the cases' own values, inside the bounds
        var start = Vector<double>.Build.Dense(free.Length, i => Math.Log(StackFactorInfo.Clamp(free[i],
            Math.Exp(cases.Average(c => Math.Log(StackFactorInfo.Of(StackOf(c), free[i])))))));
        StackFactors At(Vector<double> x)
        {
            var fs = StackFactors.None;
            for (int i = 0; i < free.Length; i++) fs = fs.With(free[i], StackFactorInfo.Clamp(free[i], Math.Exp(x[i])));
            return fs;
        }
        int evaluations = 0;
        double bestLoss = double.PositiveInfinity;
        var best = At(start);
        double Objective(Vector<double> x)
        {
            evaluations++;
            var fs = At(x);
            double loss = Loss(cases, Predictions(cases, predict, fs, settings.Parallel));
            if (loss < bestLoss) { bestLoss = loss; best = fs; }
            // outside the bounds the clamped point is evaluated; the distance to it is added so the simplex comes back
            double outside = 0;
            for (int i = 0; i < free.Length; i++) { double d = x[i] - Math.Log(fs[free[i]]!.Value); outside += d * d; }
            return loss + 10 * outside;
        }
        bool converged = true;
        // a 20% first step in every factor (0.18 in log space)
        var step = Vector<double>.Build.Dense(free.Length, 0.18);
        try { NelderMeadSimplex.Minimum(ObjectiveFunction.Value(Objective), start, step, settings.Tolerance, settings.MaxIterations); }
        catch (MaximumIterationsException) { converged = false; }
        return Result(Rounded(best, free), evaluations, converged);

        StackFitResult Result(StackFactors fs, int n, bool ok)
        {
            var after = fs == StackFactors.None ? before : Predictions(cases, predict, fs, settings.Parallel);
            return new StackFitResult(fs, free, cases.Select((c, i) => new CaseFit(c, before[i], after[i])).ToArray(), n, ok);
        }
    }

    /// <summary>
    /// Each case predicted by a fit to the other runs' cases: all cases of the case's run (<paramref name="runOf"/>: a published row
    /// that gives several metrics is one run) are left out together, so a row never predicts itself through a sibling metric. Null
    /// for a case whose run holds every case.
    /// </summary>
    public static IReadOnlyList<double?> LeaveOneRunOut(IReadOnlyList<ReferenceCase> cases, Func<ReferenceCase, StackSpec, double> predict,
        StackFitSettings settings, Func<ReferenceCase, string> runOf)
    {
        var result = new double?[cases.Count];
        foreach (var run in cases.Select(runOf).Distinct(StringComparer.Ordinal))
        {
            var train = cases.Where(c => runOf(c) != run).ToArray();
            if (train.Length == 0) continue;
            var fit = Fit(train, predict, settings);
            for (int i = 0; i < cases.Count; i++)
                if (runOf(cases[i]) == run) result[i] = predict(cases[i], fit.Factors.Apply(StackOf(cases[i])));
        }
        return result;
    }

    /// <summary>
    /// Factors to 4 decimals (0.01% of a factor, finer than any published number is printed), so a profile written with them
    /// predicts what the fit reports.
    /// </summary>
    private static StackFactors Rounded(StackFactors fs, IEnumerable<StackFactor> free) =>
        free.Aggregate(fs, (acc, f) => acc.With(f, StackFactorInfo.Clamp(f, Math.Round(acc[f]!.Value, 4))));

    private static double[] Predictions(IReadOnlyList<ReferenceCase> cases, Func<ReferenceCase, StackSpec, double> predict, StackFactors fs, bool parallel)
    {
        var p = new double[cases.Count];
        if (parallel && cases.Count > 1) System.Threading.Tasks.Parallel.For(0, cases.Count, i => p[i] = predict(cases[i], fs.Apply(StackOf(cases[i]))));
        else for (int i = 0; i < cases.Count; i++) p[i] = predict(cases[i], fs.Apply(StackOf(cases[i])));
        return p;
    }

    /// <summary>Σ ln(predicted / published)²; a prediction that is not a positive number counts as a large miss.</summary>
    private static double Loss(IReadOnlyList<ReferenceCase> cases, double[] predicted)
    {
        double sum = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            double r = predicted[i] / cases[i].Expected;
            double e = double.IsFinite(r) && r > 0 ? Math.Log(r) : 10;
            sum += e * e;
        }
        return sum;
    }
}
