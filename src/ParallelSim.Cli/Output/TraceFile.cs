using ParallelSim.Readers;
using ParallelSim.Schedules.Export;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Cli.Output;

/// <summary>Writes simulated timelines to a Chrome trace file (--trace FILE.json).</summary>
public static class TraceFile
{
    public static void Write(string path, IReadOnlyList<(string Name, Timeline Timeline)> runs)
    {
        try
        {
            File.WriteAllText(path, ChromeTrace.Write(runs));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UserInputException($"--trace: cannot write '{path}': {e.Message}");
        }
    }
}
