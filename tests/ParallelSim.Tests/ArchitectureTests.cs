using System.Reflection;

namespace ParallelSim.Tests;

/// <summary>Dependencies point inward: the libraries know nothing of the CLI, the console, files or plotting.</summary>
public class ArchitectureTests
{
    public static TheoryData<string> Libraries => new(["ParallelSim.Core", "ParallelSim.Schedules", "ParallelSim.Search", "ParallelSim.Readers"]);

    [Theory, MemberData(nameof(Libraries))]
    public void A_library_references_neither_the_cli_nor_plotting_nor_command_line_parsing(string name)
    {
        var refs = Assembly.Load(name).GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.DoesNotContain(refs, r => r.StartsWith("ScottPlot", StringComparison.Ordinal) || r.StartsWith("SkiaSharp", StringComparison.Ordinal));
        Assert.DoesNotContain("System.CommandLine", refs);
        Assert.DoesNotContain("parallelsim", refs);
        Assert.DoesNotContain("ParallelSim.Plotting", refs);
    }

    [Fact]
    public void Readers_write_nothing_to_the_console()
    {
        // the readers read files (that is their job) but never print: the CLI decides what the user sees
        string root = FindRepoRoot();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "src/ParallelSim.Readers"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
            Assert.False(File.ReadAllText(file).Contains("Console."), $"{file} writes to the console");
    }

    [Fact]
    public void Core_does_no_console_or_file_io()
    {
        // a scan of the IL's member references would be exact; the source tree is the simpler witness
        string root = FindRepoRoot();
        foreach (var dir in new[] { "src/ParallelSim.Core", "src/ParallelSim.Schedules", "src/ParallelSim.Search" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, dir), "*.cs", SearchOption.AllDirectories)
                         .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
            {
                string text = File.ReadAllText(file);
                Assert.False(text.Contains("Console.") || text.Contains("File.") || text.Contains("Directory."), $"{file} does I/O");
            }
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ParallelSim.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ParallelSim.sln not found above the test binaries");
    }
}
