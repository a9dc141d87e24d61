namespace ParallelSim.Readers;

/// <summary>Bad input from the user: the CLI prints the messages and exits with code 2, never a stack trace.</summary>
public sealed class UserInputException : Exception
{
    public IReadOnlyList<string> Problems { get; }
    public UserInputException(string problem) : this([problem]) { }
    public UserInputException(IReadOnlyList<string> problems) : base(string.Join("; ", problems)) => Problems = problems;
}
