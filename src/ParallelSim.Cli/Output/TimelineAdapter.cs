using System.Globalization;
using ParallelSim.Plotting;
using ParallelSim.Schedules;
using ParallelSim.Schedules.Simulation;

namespace ParallelSim.Cli.Output;

/// <summary>A simulated timeline as plot boxes: compute actions, and the transfers that feed them.</summary>
public static class TimelineAdapter
{
    public static TimelinePanel Panel(Timeline t, string title)
    {
        var boxes = new List<TimelineBox>();
        var byAction = new Dictionary<PipelineAction, TimedAction>();
        var rankOfStage = new Dictionary<int, int>();
        double origin = t.All.Select(a => a.Start.Value).DefaultIfEmpty(0).Min();
        foreach (var a in t.All)
        {
            byAction[a.Action] = a;
            rankOfStage[a.Action.Stage] = a.Rank;
            var kind = a.Action.Kind switch
            {
                ActionKind.Forward => BoxKind.Forward,
                ActionKind.FullBackward => BoxKind.Backward,
                ActionKind.BackwardInput => BoxKind.BackwardInput,
                ActionKind.BackwardWeight => BoxKind.BackwardWeight,
                _ => BoxKind.Receive,
            };
            boxes.Add(new TimelineBox(a.Rank, Ms(a.Start.Value - origin), Ms(a.End.Value - origin), kind,
                a.Action.MicroBatch.ToString(CultureInfo.InvariantCulture)));
        }
        // transfers: an activation leaves stage s when its forward ends and reaches stage s + 1 after the link time;
        // the gradient of stage s + 1's backward comes back over the same link
        var stages = t.Durations.Stages;
        foreach (var a in t.All)
        {
            var act = a.Action;
            if (act.Kind == ActionKind.Forward && act.Stage + 1 < stages.Count && rankOfStage.TryGetValue(act.Stage + 1, out int next))
                AddTransfer(boxes, next, a.End.Value - origin, stages[act.Stage].SendToNext.Value);
            if (act.IsInputBackward && act.Stage > 0 && rankOfStage.TryGetValue(act.Stage - 1, out int prev))
                AddTransfer(boxes, prev, a.End.Value - origin, stages[act.Stage - 1].SendToNext.Value);
        }
        return new TimelinePanel(title, t.Ranks, boxes);
    }

    private static void AddTransfer(List<TimelineBox> boxes, int rank, double start, double seconds)
    {
        if (seconds <= 0) return;
        boxes.Add(new TimelineBox(rank, Ms(start), Ms(start + seconds), BoxKind.Receive, ""));
    }

    private static double Ms(double seconds) => seconds * 1e3;
}
