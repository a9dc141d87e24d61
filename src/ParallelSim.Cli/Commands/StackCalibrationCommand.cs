using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Core.Fitting;
using ParallelSim.Core.Stack;
using ParallelSim.Core.Validation;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// `parallelsim calibrate stack --runs RUNS.csv [--stack BASE] --out PROFILE.json [--free gemm,attention,nic]`: fits a stack's
/// GEMM derate, attention derate and NIC efficiency to published runs (<see cref="StackCalibration"/>), shows every case before,
/// after and held out, and writes the calibrated stack as a profile that --stack reads.
/// </summary>
public static class StackCalibrationCommand
{
    public static Command Create()
    {
        var runs = new Option<string?>("--runs") { Description = "Published runs in the CSV schema of `validate --runs` (required)" };
        var stack = new Option<string?>("--stack") { Description = "Evaluate every row on this stack (a name in configs/stacks/ or a profile JSON), its attention, precision, overlap and dropout columns still applied [default: each row's own stack]" };
        var output = new Option<string?>("--out") { Description = "Write the calibrated stack to PROFILE.json (the schema of configs/stacks/*.json; required)" };
        var free = new Option<string?>("--free") { Description = "The factors to fit, comma-separated: gemm, attention, nic [default: all three; a factor no case depends on is kept]" };
        var name = new Option<string?>("--name") { Description = "The profile's name [default: BASE-calibrated]" };
        var format = CommonOptions.Format();
        var cmd = new Command("stack", "Fit a software stack's GEMM derate, attention derate and NIC efficiency to published runs and write it as a profile");
        foreach (var o in new Option[] { runs, stack, output, free, name, format }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var problems = new List<string>();
            var fmt = OutputFormat.Table;
            try { fmt = CommonOptions.ParseFormat(r.GetValue(format)!); }
            catch (UserInputException e) { problems.AddRange(e.Problems); }
            string? runsPath = r.GetValue(runs), outPath = r.GetValue(output), profileName = r.GetValue(name);
            if (runsPath is null) problems.Add("--runs RUNS.csv is required: the published runs to fit to");
            if (outPath is null) problems.Add("--out PROFILE.json is required: where to write the calibrated stack");
            else if (!outPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) problems.Add($"--out '{outPath}' must end in .json (--stack reads a profile by that extension)");
            if (profileName is not null && profileName.Trim().Length == 0) problems.Add("--name must not be empty");
            var (requested, explicitFree) = ParseFree(r.GetValue(free), problems);
            StackSpec? baseStack = null;
            if (r.GetValue(stack) is string b)
            {
                try { baseStack = Catalog.Default.Stack(b); }
                catch (UserInputException e) { problems.AddRange(e.Problems.Select(p => "--stack: " + p)); }
            }
            if (problems.Count > 0) throw new UserInputException(problems);

            var job = Calibrate(runsPath!, baseStack, requested, explicitFree);
            var profile = job.Fit.Factors.Apply(job.Base) with { Name = profileName ?? $"{job.Base.Name}-calibrated" };
            var record = new FittedRecord(job.File, job.Base.Name, job.Fit.Cases.Count,
                job.Fit.Free.ToDictionary(f => f, f => job.Fit.Factors[f]!.Value), job.Fit.MapeBeforePct, job.Fit.MapePct, job.LooMapePct);
            var names = job.Fit.Free.Select(StackFactorInfo.JsonKey).ToArray();
            string description = $"{job.Base.Name} with {(names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " and " + names[^1])} fitted by `parallelsim calibrate stack` " +
                $"to {job.Fit.Cases.Count} cases ({job.Runs} runs) of {job.File}, {(baseStack is null ? "each row on its own stack" : "every row on " + baseStack.Name)}";
            bool replaced = File.Exists(outPath);
            try { File.WriteAllText(outPath!, StackWriter.Write(profile, description, record)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new UserInputException($"--out: cannot write '{outPath}': {e.Message}");
            }
            string wrote = $"Wrote {outPath}{(replaced ? " (replacing the file that was there)" : "")}: stack '{profile.Name}'; use it with --stack {outPath}";
            r.InvocationConfiguration.Output.Write(StackCalibrationReport.Render(job, profile, outPath!, wrote, fmt));
            if (fmt == OutputFormat.Csv) r.InvocationConfiguration.Error.WriteLine(wrote);
            return 0;
        });
        return cmd;
    }

    /// <summary>--free: the named factors (all three when absent), and whether the user named them.</summary>
    private static (StackFactor[] Factors, bool Explicit) ParseFree(string? value, List<string> problems)
    {
        if (value is null) return (StackFactorInfo.All, false);
        var factors = new List<StackFactor>();
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (StackFactorInfo.Names.TryGetValue(part, out var f)) { if (!factors.Contains(f)) factors.Add(f); }
            else problems.Add($"--free '{part}' is not a factor (valid: {string.Join(", ", StackFactorInfo.Names.Keys)})");
        }
        if (factors.Count == 0 && problems.Count == 0) problems.Add($"--free '{value}' names no factor (valid: {string.Join(", ", StackFactorInfo.Names.Keys)})");
        return (factors.ToArray(), true);
    }

    /// <summary>One row of the runs file: its cases are held out together.</summary>
    public static string RunOf(ReferenceCase c) => c.Suite + "\n" + c.Name;

    /// <summary>The cases, the fit and each case held out; every refusal is a <see cref="UserInputException"/>.</summary>
    public static StackCalibrationJob Calibrate(string runsPath, StackSpec? baseStack, IReadOnlyList<StackFactor> requested, bool explicitFree)
    {
        string text = InputFile.Read(runsPath, "--runs");
        string file = Path.GetFileName(runsPath);
        var suites = PublishedRunsReader.Read(text, runsPath, Catalog.Default, null, baseStack);
        var all = suites.SelectMany(s => s.Cases).ToArray();
        var usable = StackCalibration.Usable(all);
        int runCount = usable.Select(RunOf).Distinct().Count(), skipped = suites.Sum(s => s.SkippedCases.Count);
        if (runCount < 2)
            throw new UserInputException($"--runs {file}: {runCount} usable run{(runCount == 1 ? "" : "s")} ({usable.Count} case{(usable.Count == 1 ? "" : "s")} with a reported time, " +
                $"throughput, MFU, HFU or TFLOP/s; {all.Length - usable.Count} memory-only; {skipped} row{(skipped == 1 ? "" : "s")} skipped): a stack fit needs at least 2 runs, " +
                $"one to fit and one to hold out (`parallelsim validate --runs {runsPath}` lists the skipped rows and why)");

        var stacks = usable.Select(StackCalibration.StackOf).Distinct().ToArray();
        if (baseStack is null && stacks.Length > 1)
            throw new UserInputException($"--runs {file}: the rows run on {stacks.Length} different stacks ({string.Join("; ", stacks.Select(Describe))}); " +
                "give --stack BASE to evaluate every row on one stack and write that stack's profile");
        var profileBase = baseStack ?? stacks[0];
        // rows whose attention, dtype, overlap or dropout columns all agree on a part the base stack says otherwise: the profile
        // takes the rows' part, so that it times what it was fitted on (the factors belong to that kernel and that overlap)
        var parts = stacks.Select(x => (x.Attention, x.Dtype, x.Overlap, x.Dropout)).Distinct().ToArray();
        if (parts.Length == 1)
        {
            var (attention, dtype, overlap, dropout) = parts[0];
            if (attention != profileBase.Attention) profileBase = Catalog.Default.WithAttention(profileBase, attention);
            profileBase = profileBase with { Dtype = dtype, Overlap = overlap, Dropout = dropout };
        }

        var immovable = StackCalibration.Immovable(usable, ReferenceEvaluation.Predict, requested);
        if (explicitFree && immovable.Count > 0)
            throw new UserInputException(immovable.Select(f => $"--free {StackFactorInfo.Name(f)}: no case of {file} depends on it ({Why(f)}); " +
                "leave it out of --free to keep each row's stack's value").ToArray());
        var free = requested.Except(immovable).ToArray();
        if (free.Length == 0) throw new UserInputException($"--free: no factor left to fit: no case of {file} depends on {string.Join(", ", immovable.Select(StackFactorInfo.Name))}");

        var settings = new StackFitSettings(free);
        var fit = StackCalibration.Fit(usable, ReferenceEvaluation.Predict, settings);
        var loo = StackCalibration.LeaveOneRunOut(usable, ReferenceEvaluation.Predict, settings, RunOf);
        return new StackCalibrationJob(file, profileBase, baseStack is not null, runCount, all.Length - usable.Count, skipped, fit, loo,
            immovable.Select(f => (f, Why(f))).ToArray());
    }

    /// <summary>Why a factor moves no case.</summary>
    public static string Why(StackFactor f) => f == StackFactor.Nic
        ? "no data-parallel or ZeRO traffic crosses a NIC: single-node rows, or traffic hidden behind compute even at 5% of the line rate"
        : $"every case predicts the same with it at {Fmt.Sig(StackFactorInfo.Bounds(f).Min)} as at its stack's own value" + (f == StackFactor.Attention ? ", e.g. unfused attention, timed as GEMMs" : "");

    public static string Describe(StackSpec s) =>
        $"{s.Name}: {StackNames.Name(s.Framework)}, {StackNames.Name(s.Attention)}, {StackNames.Name(s.Dtype)}, overlap {(s.Overlap ? "yes" : "no")}, dropout {(s.Dropout ? "yes" : "no")}";
}

/// <summary>A finished `calibrate stack`: the fit, each case held out, and the factors kept because no case depends on them.</summary>
public sealed record StackCalibrationJob(string File, StackSpec Base, bool BaseGiven, int Runs, int MemoryCases, int SkippedRows, StackFitResult Fit,
    IReadOnlyList<double?> LeaveOneOut, IReadOnlyList<(StackFactor Factor, string Why)> Kept)
{
    /// <summary>Leave-one-run-out error of each case, percent (null when its run holds every case).</summary>
    public IReadOnlyList<double?> LooErrorsPct => Fit.Cases.Select((c, i) => LeaveOneOut[i] is double p ? (p - c.Case.Expected) / c.Case.Expected * 100 : (double?)null).ToArray();

    public double? LooMapePct => LooErrorsPct.Where(e => e is not null).Select(e => e!.Value).ToArray() is { Length: > 0 } e ? e.Average(Math.Abs) : null;
}
