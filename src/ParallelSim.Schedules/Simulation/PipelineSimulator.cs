using ParallelSim.Core.Units;

namespace ParallelSim.Schedules.Simulation;

/// <summary>
/// Runs per-rank action lists with per-stage durations. An action starts when its rank is free and its
/// inputs have arrived: F(s, i) needs F(s-1, i) plus the transfer; B or I(s, i) needs its own F(s, i) and
/// B or I(s+1, i) plus the transfer back; W(s, i) needs I(s, i). Each rank keeps its list's order, so the
/// times are the longest paths of that dependency graph; a worklist visits each action once (O(actions)).
/// Send and receive actions in the lists are skipped: transfers live on the dependency edges.
/// </summary>
public static class PipelineSimulator
{
    public static Timeline Run(PipelineSchedule schedule, StageDurations durations, SimulatorOptions? options = null)
    {
        var o = options ?? SimulatorOptions.Default;
        int S = schedule.Stages, M = schedule.MicroBatches, R = schedule.Ranks;
        if (durations.Stages.Count < S)
            throw new ArgumentException($"durations cover {durations.Stages.Count} stages, the schedule has {S}");
        var owner = schedule.StageToRank();
        var fEnd = new double[S * M]; var bEnd = new double[S * M];
        Array.Fill(fEnd, double.NaN); Array.Fill(bEnd, double.NaN);
        var pos = new int[R]; var free = new double[R];
        var timed = new List<TimedAction>[R];
        for (int r = 0; r < R; r++) timed[r] = new List<TimedAction>(schedule.PerRank[r].Count);

        var queue = new Queue<int>(Enumerable.Range(0, R));
        var queued = Enumerable.Repeat(true, R).ToArray();
        void Wake(int rank)
        {
            if (rank >= 0 && !queued[rank]) { queued[rank] = true; queue.Enqueue(rank); }
        }
        // the link between adjacent stages a and b: free when both are on one rank
        double Link(int a, int b) => owner[a] == owner[b] ? 0 : durations.Stages[Math.Min(a, b)].SendToNext.Value;

        while (queue.Count > 0)
        {
            int r = queue.Dequeue(); queued[r] = false;
            var list = schedule.PerRank[r];
            while (pos[r] < list.Count)
            {
                var a = list[pos[r]];
                if (!a.IsCompute) { pos[r]++; continue; }
                int s = a.Stage, i = a.MicroBatch;
                if (s < 0 || s >= S || i < 0 || i >= M)
                    throw new ArgumentException($"rank {r} action {a} is outside {S} stages and {M} micro-batches");
                int k = s * M + i;
                double ready;
                if (a.Kind == ActionKind.Forward)
                {
                    if (s == 0) ready = 0;
                    else if (double.IsNaN(fEnd[k - M])) break;
                    else ready = fEnd[k - M] + Link(s - 1, s);
                }
                else if (a.IsInputBackward)
                {
                    if (double.IsNaN(fEnd[k])) break;
                    ready = fEnd[k];
                    if (s < S - 1)
                    {
                        if (double.IsNaN(bEnd[k + M])) break;
                        ready = Math.Max(ready, bEnd[k + M] + Link(s + 1, s));
                    }
                }
                else // W
                {
                    if (double.IsNaN(bEnd[k])) break;
                    ready = bEnd[k];
                }
                double start = Math.Max(free[r], ready);
                double end = start + durations.Duration(a).Value;
                timed[r].Add(new TimedAction(r, a, new Seconds(start), new Seconds(end)));
                free[r] = end;
                pos[r]++;
                if (a.Kind == ActionKind.Forward)
                {
                    fEnd[k] = end;
                    if (s < S - 1)
                    {
                        if (!o.OverlapCommunication) free[r] += Link(s, s + 1);
                        Wake(owner[s + 1]);
                    }
                }
                else if (a.IsInputBackward)
                {
                    bEnd[k] = end;
                    if (s > 0)
                    {
                        if (!o.OverlapCommunication) free[r] += Link(s, s - 1);
                        Wake(owner[s - 1]);
                    }
                }
            }
        }

        var pending = new List<(int, PipelineAction, string)>();
        for (int r = 0; r < R; r++)
        {
            var list = schedule.PerRank[r];
            if (pos[r] >= list.Count) continue;
            var a = list[pos[r]];
            int s = a.Stage, i = a.MicroBatch, k = s * M + i;
            string waits = a.Kind == ActionKind.Forward ? new PipelineAction(s - 1, ActionKind.Forward, i).ToString()
                : a.Kind == ActionKind.BackwardWeight ? $"{s}B{i} or {s}I{i}"
                : double.IsNaN(fEnd[k]) ? new PipelineAction(s, ActionKind.Forward, i).ToString()
                : $"{s + 1}B{i} or {s + 1}I{i}";
            pending.Add((r, a, waits));
        }
        if (pending.Count > 0)
            throw new ScheduleDeadlockException(
                $"schedule '{schedule.Name}' deadlocks: " + string.Join("; ", pending.Select(x => $"rank {x.Item1} waits at {x.Item2} for {x.Item3}")),
                pending);
        return new Timeline(schedule, durations, timed);
    }
}
