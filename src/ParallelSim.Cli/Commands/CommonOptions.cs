using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;

namespace ParallelSim.Cli.Commands;

/// <summary>Options several commands share.</summary>
public static class CommonOptions
{
    public static Option<string> Format() => new("--format") { Description = "table|markdown|csv|json", DefaultValueFactory = _ => "table" };

    /// <summary>An option naming a picture to write: "Write {what} to FILE.png or FILE.svg" (the extension picks the format).</summary>
    public static Option<string?> PlotFile(string name, string what) => new(name) { Description = $"Write {what} to FILE.png or FILE.svg" };

    public static Option<string?> Trace() => new("--trace") { Description = "Write the simulated timeline as a Chrome trace (open in Perfetto or chrome://tracing)" };

    public static OutputFormat ParseFormat(string value) => value.ToLowerInvariant() switch
    {
        "table" => OutputFormat.Table,
        "markdown" or "md" => OutputFormat.Markdown,
        "csv" => OutputFormat.Csv,
        "json" => OutputFormat.Json,
        _ => throw new UserInputException($"--format '{value}' is not valid (valid: table, markdown, csv, json)"),
    };
}
