using System.CommandLine;
using ParallelSim.Cli.Commands;
using ParallelSim.Readers;

namespace ParallelSim.Cli;

/// <summary>The command tree and the one place where errors become messages and exit codes.</summary>
public static class App
{
    public const int BadInput = 2;

    public static RootCommand Build()
    {
        var root = new RootCommand("parallelsim: simulate distributed LLM training (memory, pipeline schedules, step time, MFU)")
        {
            SimulateCommand.Create(),
            CatalogCommand.Create(),
            ExplainCommand.Create(),
            MegatronCommand.Create(),
            CompareSchedulesCommand.Create(),
            ValidateCommand.Create(),
            CalibrateCommand.Create(),
            BenchCommand.Create(),
            SweepCommand.Create(refine: SimulatedEvaluation.Evaluate),
            SweepBenchCommand.Create(),
            PlotsCommand.Create(),
        };
        root.HelpName = "parallelsim";
        return root;
    }

    /// <summary>Runs a command line. Bad input prints one line per problem and returns 2; never a stack trace.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors) error.WriteLine($"error: {Friendly(e.Message)}");
            error.WriteLine($"Run 'parallelsim {string.Join(' ', CommandPath(parsed))} --help' for the valid options.".Replace("  ", " "));
            return BadInput;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UserInputException e)
        {
            foreach (var p in e.Problems) error.WriteLine($"error: {p}");
            return BadInput;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException or ArgumentException)
        {
            error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
    }

    /// <summary>System.CommandLine names .NET types in parse errors; say what a user would type instead.</summary>
    private static string Friendly(string message)
    {
        foreach (var (type, words) in new[] { ("Int32", "a whole number"), ("Int64", "a whole number"), ("Double", "a number"), ("Boolean", "true or false") })
            message = message.Replace($"as expected type 'System.Nullable`1[System.{type}]'", $"as {words}")
                             .Replace($"as expected type 'System.{type}'", $"as {words}");
        return message;
    }

    private static IEnumerable<string> CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var c = parsed.CommandResult; c is not null; c = c.Parent as System.CommandLine.Parsing.CommandResult)
            if (c.Command is not RootCommand) names.Insert(0, c.Command.Name);
        return names;
    }
}
