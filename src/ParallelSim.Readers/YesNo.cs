namespace ParallelSim.Readers;

/// <summary>yes|no as users write it on the command line and in run lists (also true|false, y|n, 1|0, on|off).</summary>
public static class YesNo
{
    public static bool? Parse(string v) => v.ToLowerInvariant() switch
    {
        "yes" or "y" or "true" or "1" or "on" => true,
        "no" or "n" or "false" or "0" or "off" => false,
        _ => null,
    };
}
