namespace ParallelSim.Schedules.Generators;

/// <summary>
/// DualPipeV (DeepSeek-V3, arXiv:2412.19437 §3.2.1; deepseek-ai/DualPipe, DualPipeV: DualPipe "cut in half"): p ranks,
/// 2p virtual stages in a V. Rank r holds stage r (chunk 0, phase 0, the forward direction) and stage 2p - 1 - r
/// (chunk 1, phase 1, the reverse direction), so every micro-batch goes down the ranks and back up, and rank 0 holds
/// the first and the last stage (embedding and loss). Each rank runs the reference's eight steps (dualpipe.py with
/// rank → half rank, ranks → half ranks, micro-batches → half micro-batches); each phase takes its micro-batches in
/// order. Where the reference overlaps a forward of one chunk with a backward of the other (F&amp;B, its
/// _forward_backward_chunk), this list runs them one after the other: forward first, then the full backward.
/// Backwards marked zero-bubble run I now and defer their W to a first-in first-out queue that the W steps drain.
/// Needs m >= 2p (the reference's num_chunks >= num_ranks · 2: the main step runs m - 2p + r + 1 times).
/// </summary>
public static class DualPipeV
{
    public static PipelineSchedule Build(int p, int m)
    {
        Guard.Positive(("p", p), ("m", m));
        if (m < 2 * p)
            throw new ArgumentException($"DualPipeV needs at least 2 x pp micro-batches (pp {p}: m >= {2 * p}; got {m})");
        var ranks = new IReadOnlyList<PipelineAction>[p];
        for (int r = 0; r < p; r++) ranks[r] = new RankOrder(p, r, 6 * m).Build(m);
        return new PipelineSchedule("dualpipev", 2 * p, m, ranks);
    }

    /// <summary>One rank's list as it is built: the next micro-batch of each phase's F and B, and the deferred W queue.</summary>
    private sealed class RankOrder(int p, int r, int capacity)
    {
        private readonly List<PipelineAction> list = new(capacity);
        private readonly Queue<PipelineAction> deferred = new();
        private readonly int[] nextF = new int[2], nextB = new int[2];

        // phase 0 is chunk 0, stage r; phase 1 is chunk 1, stage 2p - 1 - r (the V)
        private int Stage(int phase) => phase == 0 ? r : 2 * p - 1 - r;

        private void F(int phase) => list.Add(new(Stage(phase), ActionKind.Forward, nextF[phase]++));

        // zero-bubble: the input backward now, its weight backward to the back of the queue; else the full backward
        private void B(int phase, bool zeroBubble = false)
        {
            int i = nextB[phase]++;
            if (!zeroBubble) { list.Add(new(Stage(phase), ActionKind.FullBackward, i)); return; }
            list.Add(new(Stage(phase), ActionKind.BackwardInput, i));
            deferred.Enqueue(new(Stage(phase), ActionKind.BackwardWeight, i));
        }

        private void W() => list.Add(deferred.Dequeue());

        public IReadOnlyList<PipelineAction> Build(int m)
        {
            // step 1, nF0: (p - r - 1)·2 forwards of phase 0
            for (int i = 0; i < 2 * (p - r - 1); i++) F(0);
            // step 2, nF0F1: r + 1 times F0, F1
            for (int i = 0; i < r + 1; i++) { F(0); F(1); }
            // step 3, nB1W1F1: p - r - 1 times B1 split (I now, W deferred), the oldest W, F1
            for (int i = 0; i < p - r - 1; i++) { B(1, zeroBubble: true); W(); F(1); }
            // step 4, main nF0B1F1B0: m - 2p + r + 1 times F0 then B1, F1 then B0 (the reference overlaps each pair)
            for (int i = 0; i < m - 2 * p + r + 1; i++) { F(0); B(1); F(1); B(0); }
            // step 5, nB1F1B0: p - r - 1 times B1, then F1 and B0
            for (int i = 0; i < p - r - 1; i++) { B(1); F(1); B(0); }
            // step 6, nB1B0: r + 1 times B1, B0; the last r + 1 of these 2(r + 1) backwards are split (the reference's
            // enable_zb turns on at i = (r + 1) div 2, before B1 when r is odd, between B1 and B0 when r is even)
            int steps6 = r + 1;
            bool zb = false;
            for (int i = 0; i < steps6; i++)
            {
                if (i == steps6 / 2 && r % 2 == 1) zb = true;
                B(1, zb);
                if (i == steps6 / 2 && r % 2 == 0) zb = true;
                B(0, zb);
            }
            // step 7, nWB0: p - r - 1 times the oldest W, then B0 split
            for (int i = 0; i < p - r - 1; i++) { W(); B(0, zeroBubble: true); }
            // step 8, nW: r + 1 times the oldest W (the reference then asserts the queue is empty)
            for (int i = 0; i < r + 1; i++) W();
            return list;
        }
    }
}
