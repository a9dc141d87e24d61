namespace ParallelSim.Schedules.Passes;

/// <summary>
/// Adds the sends and receives a runtime needs (torch.distributed.pipelining's _add_send_recv): a receive
/// of the activation before each forward whose previous stage is on another rank and a send after each
/// forward whose next stage is; likewise for gradients around each B or I. The simulator skips these
/// (it puts transfers on the dependency edges); they are for export and inspection.
/// </summary>
public static class CommunicationPass
{
    public static PipelineSchedule Apply(PipelineSchedule s)
    {
        var owner = s.StageToRank();
        bool Remote(int from, int to) => to >= 0 && to < s.Stages && owner[to] != owner[from];
        var ranks = s.PerRank.Select(list =>
        {
            var o = new List<PipelineAction>(list.Count * 2);
            foreach (var a in list)
            {
                if (a.Kind == ActionKind.Forward && Remote(a.Stage, a.Stage - 1)) o.Add(a with { Kind = ActionKind.RecvActivation });
                if (a.IsInputBackward && Remote(a.Stage, a.Stage + 1)) o.Add(a with { Kind = ActionKind.RecvGradient });
                o.Add(a);
                if (a.Kind == ActionKind.Forward && Remote(a.Stage, a.Stage + 1)) o.Add(a with { Kind = ActionKind.SendActivation });
                if (a.IsInputBackward && Remote(a.Stage, a.Stage - 1)) o.Add(a with { Kind = ActionKind.SendGradient });
            }
            return (IReadOnlyList<PipelineAction>)o;
        }).ToArray();
        return s with { PerRank = ranks };
    }
}
