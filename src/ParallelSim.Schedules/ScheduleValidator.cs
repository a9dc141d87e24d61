using System.Text;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Schedules;

/// <summary>The first problem found in a schedule: where it is and the step-by-rank grid that shows it.</summary>
public sealed record ScheduleError(int Rank, int Step, string Problem, string Grid)
{
    public override string ToString() => $"rank {Rank}, step {Step}: {Problem}\n{Grid}";
}

/// <summary>
/// Checks a schedule with torch.distributed.pipelining's counting rules: each stage runs on one rank;
/// every (stage, micro-batch) has exactly one forward and exactly one backward (B, or I and W), each after
/// its forward (and W after I) on its rank; and the ranks' orders do not deadlock (a backward also waits for
/// the next stage's backward). Reports the first bad action with a step-by-rank grid that marks it.
/// </summary>
public static class ScheduleValidator
{
    public static ScheduleError? Validate(PipelineSchedule s)
    {
        int S = s.Stages, M = s.MicroBatches;
        var owner = new int[Math.Max(S, 0)]; Array.Fill(owner, -1);
        var seenF = new HashSet<(int, int)>(); var seenB = new HashSet<(int, int)>(); var seenI = new HashSet<(int, int)>(); var seenW = new HashSet<(int, int)>();
        // walk the ranks step by step (row by row of the grid) so that "first" means the earliest step
        int steps = s.PerRank.Count == 0 ? 0 : s.PerRank.Max(l => l.Count);
        for (int step = 0; step < steps; step++)
            for (int r = 0; r < s.Ranks; r++)
            {
                if (step >= s.PerRank[r].Count) continue;
                var a = s.PerRank[r][step];
                ScheduleError Bad(string why) => new(r, step, why, Grid(s, r, step));
                if (a.Stage < 0 || a.Stage >= S) return Bad($"{a} names stage {a.Stage}; the schedule has stages 0..{S - 1}");
                if (a.MicroBatch < 0 || a.MicroBatch >= M) return Bad($"{a} names micro-batch {a.MicroBatch}; the schedule has 0..{M - 1}");
                if (!a.IsCompute) continue;
                if (owner[a.Stage] < 0) owner[a.Stage] = r;
                else if (owner[a.Stage] != r) return Bad($"{a}: stage {a.Stage} already runs on rank {owner[a.Stage]}");
                var key = (a.Stage, a.MicroBatch);
                switch (a.Kind)
                {
                    case ActionKind.Forward:
                        if (!seenF.Add(key)) return Bad($"duplicated forward {a}");
                        break;
                    case ActionKind.FullBackward:
                    case ActionKind.BackwardInput:
                        if (!seenF.Contains(key)) return Bad($"backward {a} before its forward {a.Stage}F{a.MicroBatch}");
                        if (seenB.Contains(key) || seenI.Contains(key)) return Bad($"duplicated backward {a}");
                        (a.Kind == ActionKind.FullBackward ? seenB : seenI).Add(key);
                        break;
                    case ActionKind.BackwardWeight:
                        if (!seenI.Contains(key)) return Bad($"weight backward {a} before its input backward {a.Stage}I{a.MicroBatch}");
                        if (!seenW.Add(key)) return Bad($"duplicated weight backward {a}");
                        break;
                }
            }

        // counts: what never ran, reported at the end of its stage's rank
        for (int st = 0; st < S; st++)
            for (int i = 0; i < M; i++)
            {
                int r = owner[st] < 0 ? 0 : owner[st];
                int end = s.Ranks == 0 ? 0 : s.PerRank[r].Count;
                ScheduleError Missing(string why) => new(r, end, why, Grid(s, r, end));
                if (!seenF.Contains((st, i))) return Missing($"missing forward {st}F{i}");
                if (!seenB.Contains((st, i)) && !seenI.Contains((st, i))) return Missing($"missing backward {st}B{i}");
                if (seenI.Contains((st, i)) && !seenW.Contains((st, i))) return Missing($"missing weight backward {st}W{i}");
            }

        // order across ranks: run it with unit durations; a deadlock names the blocked actions
        try { PipelineSimulator.Run(s, StageDurations.Uniform(S, new(1), new(2))); }
        catch (ScheduleDeadlockException e)
        {
            var (rank, action, _) = e.Pending[0];
            int step = s.PerRank[rank].ToList().IndexOf(action);
            return new ScheduleError(rank, step, e.Message, Grid(s, rank, step));
        }
        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> with the problem and the grid.</summary>
    public static void ThrowIfInvalid(PipelineSchedule s)
    {
        if (Validate(s) is { } e) throw new ArgumentException($"schedule '{s.Name}' is invalid: {e}");
    }

    /// <summary>
    /// Steps as rows, ranks as columns; the bad cell is marked with '*' and its row with '&lt;&lt;'. Long
    /// schedules show the 6 steps either side of the mark.
    /// </summary>
    public static string Grid(PipelineSchedule s, int markRank, int markStep)
    {
        int steps = s.PerRank.Count == 0 ? 0 : s.PerRank.Max(l => l.Count);
        int from = Math.Max(0, markStep - 6), to = Math.Min(Math.Max(steps, markStep + 1), markStep + 7);
        var cells = new string[to - from + 1][];
        cells[0] = ["step", .. Enumerable.Range(0, s.Ranks).Select(r => $"rank {r}")];
        for (int step = from; step < to; step++)
        {
            var row = new string[s.Ranks + 1];
            row[0] = step.ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (int r = 0; r < s.Ranks; r++)
            {
                string c = step < s.PerRank[r].Count ? s.PerRank[r][step].ToString() : (r == markRank && step == markStep ? "(end)" : "");
                row[r + 1] = r == markRank && step == markStep ? c + "*" : c;
            }
            cells[step - from + 1] = row;
        }
        var widths = Enumerable.Range(0, s.Ranks + 1).Select(c => cells.Max(row => row[c].Length)).ToArray();
        var sb = new StringBuilder();
        if (from > 0) sb.Append("...\n");
        for (int i = 0; i < cells.Length; i++)
        {
            sb.Append(string.Join("  ", cells[i].Select((c, j) => c.PadRight(widths[j]))).TrimEnd());
            if (i > 0 && from + i - 1 == markStep) sb.Append("  <<");
            sb.Append('\n');
        }
        if (to < steps) sb.Append("...\n");
        return sb.ToString();
    }
}
