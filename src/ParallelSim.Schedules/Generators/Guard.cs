namespace ParallelSim.Schedules.Generators;

internal static class Guard
{
    public static void Positive(params (string Name, int Value)[] values)
    {
        foreach (var (name, value) in values)
            if (value < 1) throw new ArgumentException($"{name} must be at least 1 (got {value})");
    }
}
