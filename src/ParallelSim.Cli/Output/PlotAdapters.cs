using ParallelSim.Core.Simulation;
using ParallelSim.Plotting;

namespace ParallelSim.Cli.Output;

/// <summary>Turns result records into the plain records the plotting project draws.</summary>
public static class PlotAdapters
{
    public static IReadOnlyList<MemoryBar> MemoryBars(SimulationResult r) =>
        r.Memory.Stages.Select(s => new MemoryBar(s.Stage.ToString(System.Globalization.CultureInfo.InvariantCulture),
            s.Weights.GiB, s.Gradients.GiB, s.Optimizer.GiB, s.Activations.GiB, s.Other.GiB)).ToArray();

    public static string MemoryTitle(SimulationResult r) =>
        $"Memory per GPU by pipeline stage: {r.Model.Name}, {r.Cluster.Gpus} x {r.Cluster.Gpu.Name}, tp {r.Plan.Tp} pp {r.Plan.Pp} dp {r.Plan.Dp}";

    /// <summary>Writes a plot, turning a bad path into a user-facing error.</summary>
    public static void Write(string path, Action<string> save)
    {
        string ext = Path.GetExtension(path).ToLowerInvariant();
        if (ext is not (".png" or ".svg"))
            throw new Readers.UserInputException($"plot file '{path}' must end in .png or .svg");
        try { save(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Readers.UserInputException($"cannot write plot '{path}': {e.Message}");
        }
    }
}
