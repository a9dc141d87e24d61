namespace ParallelSim.Readers;

/// <summary>Reads a user's input file, turning what can go wrong into one clear problem that names the file and what it is.</summary>
public static class InputFile
{
    /// <param name="what">what the file should be, as the message names it ("stack file", "--runs")</param>
    public static string Read(string path, string what)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UserInputException($"{what}: the path is empty; give a file");
        if (Directory.Exists(path)) throw new UserInputException($"{what}: '{path}' is a directory; give a file in it");
        if (!File.Exists(path)) throw new UserInputException($"{what}: '{path}' does not exist");
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UserInputException($"{what}: cannot read '{path}': {e.Message}");
        }
    }
}
