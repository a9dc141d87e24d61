namespace ParallelSim.Schedules.Generators;

/// <summary>
/// ZB-H1 (arXiv:2401.10241 §3.1, Fig. 3): <see cref="ZeroBubble"/> with one warm-up forward per later stage, as 1F1B.
/// The W of each micro-batch waits r steps on rank r, so the W passes fill the cool-down bubble:
/// (p - 1)(T_F + T_B - T_W) instead of 1F1B's (p - 1)(T_F + T_B + T_W), with the same peak activations (p·M_B).
/// </summary>
public static class ZeroBubbleH1
{
    public static PipelineSchedule Build(int p, int m) => ZeroBubble.Build(p, m, 1);
}
