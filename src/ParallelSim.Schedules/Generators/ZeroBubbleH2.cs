namespace ParallelSim.Schedules.Generators;

/// <summary>
/// ZB-H2 (arXiv:2401.10241 §3.1, Fig. 4): <see cref="ZeroBubble"/> with two warm-up forwards per later stage, so rank r
/// holds up to 2(p - r) - 1 micro-batches ((2p - 1)·M_B on rank 0) and its first 2r W passes wait for the tail. The
/// pipeline becomes a parallelogram: each rank's own span has bubble (p - 1)(T_F + T_B - 2T_W) (Table 2), which is the
/// step time once consecutive steps overlap (the paper drops the optimizer synchronisation, §4).
/// </summary>
public static class ZeroBubbleH2
{
    public static PipelineSchedule Build(int p, int m) => ZeroBubble.Build(p, m, 2);
}
