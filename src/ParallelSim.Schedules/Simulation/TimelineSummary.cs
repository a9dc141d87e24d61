using ParallelSim.Core.Units;

namespace ParallelSim.Schedules.Simulation;

/// <summary>
/// What a timeline says about one step. Per rank: compute busy time, the peak number of stage-chunks whose
/// activations are held (a forward's activations live from its start until its B or I ends), that peak in
/// micro-batches' worth of the rank's whole layer share, and in bytes.
/// </summary>
/// <remarks><c>Period</c> is the longest span of one rank, from its first action's start to its last action's end.</remarks>
public sealed record TimelineSummary(
    Seconds Makespan,
    Seconds Period,
    IReadOnlyList<Seconds> BusyPerRank,
    IReadOnlyList<int> PeakChunksHeld,
    IReadOnlyList<double> PeakMicroBatchesHeld,
    IReadOnlyList<Bytes> PeakActivationBytes)
{
    public Seconds BusiestRankCompute => BusyPerRank.Count == 0 ? Seconds.Zero : BusyPerRank.MaxBy(b => b.Value);

    /// <summary>Idle compute over total: Σ_r (makespan - busy_r) / (ranks · makespan).</summary>
    public double BubbleFraction => Makespan.Value <= 0 ? 0
        : BusyPerRank.Sum(b => Makespan.Value - b.Value) / (BusyPerRank.Count * Makespan.Value);

    /// <summary>
    /// Idle compute over total when consecutive steps overlap and each rank starts its next step as soon as it has
    /// finished this one (ZB-H2 drops the optimizer synchronisation, arXiv:2401.10241 §3.1, §4): the ranks' staggered
    /// starts and ends then tile, and a step costs <see cref="Period"/>, the longest span of one rank (sail-sg efficiency.py
    /// times ZB-H2 so). Σ_r (period - busy_r) / (ranks · period); equals <see cref="BubbleFraction"/> when rank 0 starts
    /// first and ends last, as in GPipe, 1F1B, interleaved 1F1B and ZB-H1.
    /// </summary>
    public double PeriodBubbleFraction => Period.Value <= 0 ? 0
        : BusyPerRank.Sum(b => Period.Value - b.Value) / (BusyPerRank.Count * Period.Value);

    /// <summary>
    /// The zero-bubble paper's bubble rate, (cost - m(T_F + T_B + T_W)) / cost (arXiv:2401.10241 §5; sail-sg
    /// efficiency.py), with the busiest rank's compute as m(T_F + T_B + T_W): 1 - busiest / makespan. Equals
    /// <see cref="BubbleFraction"/> when the stages are identical.
    /// </summary>
    public double BusiestRankBubbleFraction => Makespan.Value <= 0 ? 0 : 1 - BusiestRankCompute.Value / Makespan.Value;

    /// <summary>The rank whose held activations peak highest in bytes (lowest rank on ties).</summary>
    public int MemoryLimitingRank => PeakActivationBytes.Count == 0 ? 0
        : Enumerable.Range(0, PeakActivationBytes.Count).MaxBy(r => (PeakActivationBytes[r].Value, -r));

    public static TimelineSummary Of(Timeline t)
    {
        int R = t.Ranks;
        var owner = t.Schedule.StageToRank();
        // each stage's share of its rank's activations: by bytes, or equal shares when no bytes are given
        var rankBytes = new double[R]; var rankStages = new int[R];
        for (int s = 0; s < owner.Length; s++)
            if (owner[s] >= 0) { rankBytes[owner[s]] += t.Durations.Stages[s].ActivationsPerMicroBatch.Value; rankStages[owner[s]]++; }
        double Share(int s) => rankBytes[owner[s]] > 0 ? t.Durations.Stages[s].ActivationsPerMicroBatch.Value / rankBytes[owner[s]] : 1.0 / rankStages[owner[s]];

        var busy = new Seconds[R]; var chunks = new int[R]; var mbs = new double[R]; var bytes = new Bytes[R];
        double period = 0;
        for (int r = 0; r < R; r++)
        {
            if (t.PerRank[r].Count > 0) period = Math.Max(period, (t.PerRank[r][^1].End - t.PerRank[r][0].Start).Value);
            double b = 0, heldBytes = 0, heldShare = 0, peakBytes = 0, peakShare = 0;
            int held = 0, peak = 0;
            foreach (var x in t.PerRank[r])
            {
                b += x.Duration.Value;
                int s = x.Action.Stage;
                if (x.Action.Kind == ActionKind.Forward)
                {
                    held++; heldBytes += t.Durations.Stages[s].ActivationsPerMicroBatch.Value; heldShare += Share(s);
                    peak = Math.Max(peak, held); peakBytes = Math.Max(peakBytes, heldBytes); peakShare = Math.Max(peakShare, heldShare);
                }
                else if (x.Action.IsInputBackward)
                {
                    held--; heldBytes -= t.Durations.Stages[s].ActivationsPerMicroBatch.Value; heldShare -= Share(s);
                }
            }
            busy[r] = new Seconds(b); chunks[r] = peak; mbs[r] = peakShare; bytes[r] = new Bytes(peakBytes);
        }
        return new TimelineSummary(t.Makespan, new Seconds(period), busy, chunks, mbs, bytes);
    }
}
