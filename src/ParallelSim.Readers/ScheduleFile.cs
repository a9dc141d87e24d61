using ParallelSim.Core.Parallelism;
using ParallelSim.Schedules;

namespace ParallelSim.Readers;

/// <summary>A user's schedule as read from <c>--schedule-file</c>: the schedule, and the label its errors use.</summary>
public sealed record ScheduleFileInput(string Label, PipelineSchedule Schedule)
{
    /// <summary>Model chunks per rank: stages / ranks.</summary>
    public int Chunks => Schedule.Stages / Math.Max(1, Schedule.Ranks);

    /// <summary>DualPipeV's V: 2p stages, rank r running stages r and 2p - 1 - r (read off the lists).</summary>
    public bool VShaped => ScheduleFile.IsV(Schedule);
}

/// <summary>
/// Loads a pipeline schedule in <see cref="ScheduleCsv"/>'s format (one row per rank, "0F0,0F1,0B0"), from a path or
/// by the name of one shipped in configs/schedules/, checks it with <see cref="ScheduleValidator"/>, and fits a plan
/// to it. Every problem is a <see cref="UserInputException"/>; a schedule that fails validation shows the
/// validator's step-by-rank grid.
/// </summary>
public static class ScheduleFile
{
    public const string Flag = "--schedule-file";

    /// <summary>The schedules shipped in configs/schedules/, by name (file name without .csv).</summary>
    public static IReadOnlyDictionary<string, string> Shipped { get; } = Catalog.EmbeddedFiles("schedules")
        .Where(f => f.Path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        .ToDictionary(f => Path.GetFileNameWithoutExtension(f.Path), f => f.Text, StringComparer.OrdinalIgnoreCase);

    public static ScheduleFileInput Load(string pathOrName)
    {
        string text;
        if (File.Exists(pathOrName)) text = File.ReadAllText(pathOrName);
        else if (Shipped.TryGetValue(Path.GetFileNameWithoutExtension(pathOrName), out var shipped) && !pathOrName.Contains('/') && !pathOrName.Contains('\\'))
            text = shipped;
        else
            throw new UserInputException($"{Flag} '{pathOrName}': no such file (shipped schedules: {string.Join(", ", Shipped.Keys.Order(StringComparer.Ordinal))})");
        return Parse(text, pathOrName);
    }

    /// <summary>Reads and validates CSV text; <paramref name="label"/> names it in messages.</summary>
    public static ScheduleFileInput Parse(string csv, string label)
    {
        PipelineSchedule s;
        try { s = ScheduleCsv.Read(csv); }
        catch (FormatException e) { throw new UserInputException($"{Flag} {label}: {e.Message}"); }
        if (s.Ranks < 1 || s.ActionCount == 0) throw new UserInputException($"{Flag} {label}: no actions (expected one row of actions per rank, e.g. 0F0,0F1,0B0,0B1)");
        if (ScheduleValidator.Validate(s) is { } bad)
            throw new UserInputException($"{Flag} {label} is not a valid schedule: rank {bad.Rank}, step {bad.Step}: {bad.Problem}\n{bad.Grid.TrimEnd('\n')}");
        if (s.Stages % s.Ranks != 0)
            throw new UserInputException($"{Flag} {label}: stages ({s.Stages}) must be a multiple of ranks ({s.Ranks})");
        var owner = s.StageToRank();
        if (!IsV(s))
            for (int st = 0; st < s.Stages; st++)
                if (owner[st] != st % s.Ranks)
                    throw new UserInputException($"{Flag} {label}: stage {st} runs on rank {owner[st]}; the cost model places stage c·p + r on rank r " +
                        $"(here rank {st % s.Ranks}), as Megatron's interleaving does, or with 2 chunks per rank stages r and 2p - 1 - r on rank r (DualPipeV's V)");
        return new ScheduleFileInput(label, s);
    }

    /// <summary>Whether the lists place 2p stages in DualPipeV's V: stage s on rank min(s, 2p - 1 - s).</summary>
    // more than one rank: with one rank, two stages on it are also the interleaved placement
    public static bool IsV(PipelineSchedule s)
    {
        if (s.Ranks < 2 || s.Stages != 2 * s.Ranks) return false;
        var owner = s.StageToRank();
        for (int st = 0; st < s.Stages; st++)
            if (owner[st] != Math.Min(st, s.Stages - 1 - st)) return false;
        return true;
    }

    /// <summary>
    /// The plan that runs the file: pp must be its ranks (the plan validator then checks the layers against its stages,
    /// pp x vpp); its micro-batch count sets the global batch (m × micro-batch × dp), unless
    /// <paramref name="globalBatchGiven"/> and they disagree.
    /// With more than one chunk per rank the plan is interleaved with vpp = chunks, or DualPipeV with vpp 2 when the stages
    /// lie in its V; else 1F1B (the cost model's view).
    /// </summary>
    public static ParallelPlan Fit(ScheduleFileInput f, ParallelPlan plan, bool globalBatchGiven)
    {
        var s = f.Schedule;
        var problems = new List<string>();
        if (plan.Pp != s.Ranks) problems.Add($"{Flag} {f.Label} has {s.Ranks} ranks: give --pp {s.Ranks} (got {plan.Pp})");
        if (globalBatchGiven && plan.MicroBatches != s.MicroBatches)
            problems.Add($"{Flag} {f.Label} has {s.MicroBatches} micro-batches, but --global-batch {plan.GlobalBatch} gives {plan.MicroBatches} " +
                $"(global batch / (micro-batch {plan.MicroBatch} x dp {plan.Dp})); leave --global-batch out to take it from the file");
        if (problems.Count > 0) throw new UserInputException(problems);
        int v = f.Chunks;
        return plan with
        {
            Schedule = f.VShaped ? ScheduleKind.DualPipeV : v > 1 ? ScheduleKind.Interleaved : ScheduleKind.OneFOneB, Vpp = v,
            GlobalBatch = s.MicroBatches * plan.MicroBatch * plan.Dp,
        };
    }
}
