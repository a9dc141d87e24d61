namespace ParallelSim.Schedules.Generators;

/// <summary>
/// Interleaved 1F1B with v model chunks per rank (arXiv:2104.04473 §2.2.2), in Megatron-LM's order
/// (megatron/core/pipeline_parallel/schedules.py, forward_backward_pipelining_with_interleaving): virtual
/// micro-batch k runs chunk (k mod p·v) div p on micro-batch (k div p·v)·p + k mod p; backwards visit
/// the chunks in reverse. Rank r warms up with 2(p - r - 1) + (v - 1)·p forwards. Chunk c of rank r is
/// stage c·p + r. Needs m to be a multiple of p.
/// </summary>
public static class Interleaved1F1B
{
    public static PipelineSchedule Build(int p, int m, int v)
    {
        Guard.Positive(("p", p), ("m", m), ("v", v));
        if (m % p != 0) throw new ArgumentException($"the interleaved schedule needs micro-batches ({m}) to be a multiple of pp ({p})");
        int total = m * v;
        var ranks = new IReadOnlyList<PipelineAction>[p];
        for (int r = 0; r < p; r++)
        {
            PipelineAction Virtual(int k, bool forward)
            {
                int inGroup = k % (p * v);
                int chunk = inGroup / p;
                if (!forward) chunk = v - 1 - chunk;
                int micro = k / (p * v) * p + k % p;
                return new PipelineAction(chunk * p + r, forward ? ActionKind.Forward : ActionKind.FullBackward, micro);
            }
            // Megatron-LM: num_warmup_microbatches = (p - r - 1)·2 + (v - 1)·p, capped at m·v
            int warmup = Math.Min(2 * (p - r - 1) + (v - 1) * p, total);
            var list = new List<PipelineAction>(2 * total);
            for (int k = 0; k < warmup; k++) list.Add(Virtual(k, true));
            for (int k = 0; k < total - warmup; k++)
            {
                list.Add(Virtual(warmup + k, true));
                list.Add(Virtual(k, false));
            }
            for (int k = total - warmup; k < total; k++) list.Add(Virtual(k, false));
            ranks[r] = list;
        }
        return new PipelineSchedule("interleaved", p * v, m, ranks);
    }
}
