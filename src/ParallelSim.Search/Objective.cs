namespace ParallelSim.Search;

/// <summary>What a sweep ranks by. Cost is dollars per token at a price per GPU-hour.</summary>
public enum Objective { StepTime, TokensPerSecond, Mfu, Cost }

public static class ObjectiveNames
{
    public static readonly IReadOnlyDictionary<string, Objective> All = new Dictionary<string, Objective>(StringComparer.OrdinalIgnoreCase)
    {
        ["step-time"] = Objective.StepTime, ["tokens-per-second"] = Objective.TokensPerSecond, ["mfu"] = Objective.Mfu, ["cost"] = Objective.Cost,
    };

    public static string Name(Objective o) => o switch
    {
        Objective.StepTime => "step-time",
        Objective.TokensPerSecond => "tokens-per-second",
        Objective.Mfu => "mfu",
        _ => "cost",
    };
}
