using ParallelSim.Core.Validation;

namespace ParallelSim.Readers;

/// <summary>
/// The suites of `validate --file/--runs/--measurements`: the user's own data, read from disk. Every problem of every
/// file is collected before anything is reported.
/// </summary>
public static class UserSuites
{
    public const string DefaultMeasurementGpu = "H200-SXM-141GB";

    /// <param name="runsStack">the stack every --runs row is evaluated on (`validate --stack`), null: each row's own</param>
    public static IReadOnlyList<ReferenceSuite> Load(IReadOnlyList<string> files, IReadOnlyList<string> runs, IReadOnlyList<string> measurements,
        string? gpuName, double? mapeLimitPct, Catalog catalog, Core.Stack.StackSpec? runsStack = null)
    {
        var problems = new List<string>();
        var suites = new List<ReferenceSuite>();
        var gpu = catalog.Gpu(DefaultMeasurementGpu);
        if (gpuName is not null)
        {
            var (match, why) = GpuNames.Match(gpuName, catalog);
            if (match is null) problems.Add($"--gpu: {why}"); else gpu = match;
        }
        void Each(IReadOnlyList<string> paths, Func<string, string, IEnumerable<ReferenceSuite>> read)
        {
            foreach (var path in paths)
            {
                try { suites.AddRange(read(InputFile.Read(path, "input file"), path)); }
                catch (UserInputException e) { problems.AddRange(e.Problems); }
            }
        }
        Each(files, (text, path) => [ReferenceReader.Read(text, path, catalog)]);
        Each(runs, (text, path) => PublishedRunsReader.Read(text, path, catalog, mapeLimitPct, runsStack));
        Each(measurements, (text, path) => TrainMeasurementsReader.Read(text, path, Path.GetFileName(path), catalog, gpu,
            new TrainSuiteNaming(Path.GetFileNameWithoutExtension(path), Path.GetFileName(path), $"measurements in {path}")));
        if (problems.Count > 0) throw new UserInputException(problems);
        return suites;
    }
}
