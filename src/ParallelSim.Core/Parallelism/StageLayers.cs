using System.Globalization;
using ParallelSim.Core.Models;

namespace ParallelSim.Core.Parallelism;

/// <summary>
/// The one place that says how many transformer layers each (virtual) pipeline stage holds, and whether a layer split is
/// valid. Virtual stage c·p + r is chunk c of pipeline rank r (the interleaved order); without chunks it is rank r.
/// </summary>
public static class StageLayers
{
    /// <summary>Layers of every virtual stage of a plan (index c·p + r).</summary>
    public static int[] PerVirtualStage(ModelSpec m, ParallelPlan plan) => PerVirtualStage(m.Layers, plan.Pp, PipelineChunks.PerRank(plan), plan.Split);

    /// <summary>Layers of every pipeline rank of a plan (all its chunks).</summary>
    public static int[] PerRank(ModelSpec m, ParallelPlan plan) => PerRank(m.Layers, plan.Pp, PipelineChunks.PerRank(plan), plan.Split);

    /// <summary>
    /// Layers of every virtual stage, index c·p + r, for a split that <see cref="Problems"/> accepts (otherwise the counts
    /// are rounded down and may not sum to <paramref name="layers"/>).
    /// </summary>
    // Megatron-LM megatron/core/transformer/transformer_block.py get_num_layers_to_build: per rank L/p, or the first/last counts
    // and (L - first - last)/(middle ranks); or (L + embedding + loss)/p; then 1/v of the rank's count per chunk, minus one on the
    // very first virtual stage for the embedding and on the very last for the loss
    public static int[] PerVirtualStage(int layers, int pp, int chunks, LayerSplit? split)
    {
        int p = Math.Max(1, pp), v = Math.Max(1, chunks);
        var rank = new int[p];
        if (split is null || split.IsEven) Array.Fill(rank, layers / p);
        else if (split.HasCounts)
        {
            int ends = (split.FirstStageLayers is null ? 0 : 1) + (split.LastStageLayers is null ? 0 : 1);
            int middles = p - ends, rest = layers - (split.FirstStageLayers ?? 0) - (split.LastStageLayers ?? 0);
            Array.Fill(rank, middles > 0 ? Math.Max(0, rest / middles) : 0);
            if (split.FirstStageLayers is int f) rank[0] = Math.Max(0, f);
            if (split.LastStageLayers is int l) rank[p - 1] = Math.Max(0, l);
        }
        else Array.Fill(rank, (layers + Extra(split)) / p);

        var stages = new int[p * v];
        for (int c = 0; c < v; c++)
            for (int r = 0; r < p; r++) stages[c * p + r] = rank[r] / v;
        if (split is { HasCounts: false })
        {
            if (split.EmbeddingAsLayer) stages[0] = Math.Max(0, stages[0] - 1);
            if (split.LossAsLayer) stages[^1] = Math.Max(0, stages[^1] - 1);
        }
        return stages;
    }

    /// <summary>Layers of every pipeline rank: the sum over its chunks of <see cref="PerVirtualStage(int, int, int, LayerSplit?)"/>.</summary>
    public static int[] PerRank(int layers, int pp, int chunks, LayerSplit? split)
    {
        int p = Math.Max(1, pp);
        var stages = PerVirtualStage(layers, pp, chunks, split);
        var rank = new int[p];
        for (int s = 0; s < stages.Length; s++) rank[s % p] += stages[s];
        return rank;
    }

    /// <summary>
    /// The split a pipeline of pp ranks needs for these layers when no one chose it: none when pp divides the layers; else,
    /// when pp divides layers + 2, the embedding and the loss counted as a layer each (first and last stage one layer fewer,
    /// as Llama 3 405B and the zero-bubble paper place them); else none (no plan with this pp is valid).
    /// </summary>
    public static LayerSplit? DefaultSplit(int layers, int pp) =>
        pp >= 2 && layers % pp != 0 && (layers + 2) % pp == 0 ? LayerSplit.EmbeddingAndLoss : null;

    /// <summary>
    /// Every problem of placing <paramref name="layers"/> on pp ranks of vpp chunks with the split, each naming the values and
    /// what would be valid; empty when the placement is valid.
    /// </summary>
    public static IReadOnlyList<string> Problems(int layers, int pp, int vpp, LayerSplit? split)
    {
        var problems = new List<string>();
        if (split is null || split.IsEven) { Even(problems, layers, pp, vpp); return problems; }
        if (split.HasCounts && split.HasAccounting)
            // Megatron-LM transformer_config.py __post_init__: num_layers_in_first/last_pipeline_stage cannot be set with account_for_*
            problems.Add("first-stage-layers / last-stage-layers cannot be combined with the embedding or the loss counted as a layer (Megatron rejects the combination)");
        if (split.HasCounts) Counts(problems, layers, pp, vpp, split.FirstStageLayers, split.LastStageLayers);
        else Accounting(problems, layers, pp, vpp, split);
        return problems;
    }

    /// <summary>Layers the embedding and the loss add to an even split when they count as layers.</summary>
    private static int Extra(LayerSplit split) => (split.EmbeddingAsLayer ? 1 : 0) + (split.LossAsLayer ? 1 : 0);

    private static void Even(List<string> problems, int layers, int pp, int vpp)
    {
        long stages = (long)pp * vpp;
        if (stages < 1 || layers % stages == 0) return;
        string message = Inv($"layers ({layers}) must be divisible by pp x vpp ({pp} x {vpp} = {stages})");
        // the usual way out (Llama 3 405B: 126 layers on 16 stages): the embedding and the loss counted as a layer each
        if (pp >= 2 && AccountingValid(layers + 2, pp, vpp))
        {
            int n = (layers + 2) / pp;
            message += vpp == 1
                ? Inv($", or split unevenly: {layers} + 2 = {layers + 2} is divisible by {pp}, so first-stage-layers {n - 1} and last-stage-layers {n - 1} (the embedding and the loss counted as a layer each) would place {n} on each middle stage")
                : Inv($", or split unevenly: with the embedding and the loss counted as a layer each (embedding-as-layer, loss-as-layer), {layers} + 2 = {layers + 2} = {pp} x {n} would do");
        }
        problems.Add(message);
    }

    private static bool AccountingValid(int counted, int pp, int vpp) => counted % pp == 0 && counted / pp % vpp == 0;

    // Megatron-LM transformer_config.py __post_init__ (accounting): (L + embedding + loss) divisible by p, and by p·v with chunks
    private static void Accounting(List<string> problems, int layers, int pp, int vpp, LayerSplit split)
    {
        int counted = layers + Extra(split);
        string what = split.EmbeddingAsLayer && split.LossAsLayer ? "+ 1 (embedding) + 1 (loss)" : split.EmbeddingAsLayer ? "+ 1 (embedding)" : "+ 1 (loss)";
        if (pp < 1 || vpp < 1) return; // reported as non-positive by the validator
        if (counted % pp != 0)
            problems.Add(Inv($"layers ({layers}) {what} = {counted} must be divisible by pp ({pp}) when they count as layers") + Nearby(layers, pp, vpp, split));
        else if (counted / pp % vpp != 0)
            problems.Add(Inv($"layers per rank ({counted} / {pp} = {counted / pp}, the embedding and loss counted as layers) must be divisible by vpp ({vpp})"));
    }

    /// <summary>What counting the embedding, the loss or both would make valid instead, if anything.</summary>
    private static string Nearby(int layers, int pp, int vpp, LayerSplit split)
    {
        var ok = new[] { LayerSplit.EmbeddingAndLoss, new LayerSplit(EmbeddingAsLayer: true), new LayerSplit(LossAsLayer: true) }
            .Where(s => s != split && AccountingValid(layers + Extra(s), pp, vpp)).Select(s => s.ToString()).ToArray();
        return ok.Length == 0 ? "" : $" (valid: {string.Join(" or ", ok)})";
    }

    // Megatron-LM transformer_config.py __post_init__ (uneven PP): first and last > 0 and divisible by vpp; the middle layers a
    // whole number per middle stage (none left when there is none), and that number divisible by vpp
    private static void Counts(List<string> problems, int layers, int pp, int vpp, int? first, int? last)
    {
        if (pp < 2)
        {
            problems.Add(Inv($"first-stage-layers and last-stage-layers need pp of at least 2 (got pp {pp})"));
            return;
        }
        bool countsOk = true;
        // with chunks, one layer fewer on the very first and last chunk is the accounting's to give, not the counts'
        string hint = vpp > 1 && AccountingValid(layers + 2, pp, vpp)
            ? " (one layer fewer on the first and last chunk only: count the embedding and the loss as layers instead, embedding-as-layer and loss-as-layer)" : "";
        foreach (var (name, value) in new[] { ("first-stage-layers", first), ("last-stage-layers", last) })
        {
            if (value is not int n) continue;
            if (n < 1) { problems.Add(Inv($"{name} must be at least 1 (got {n}): Megatron places at least one layer on each end stage")); countsOk = false; }
            else if (vpp > 1 && n % vpp != 0)
            {
                problems.Add(Inv($"{name} ({n}) must be divisible by vpp ({vpp}): each of the rank's {vpp} model chunks holds 1/{vpp} of its layers") + hint);
                countsOk = false;
                hint = "";
            }
        }
        if (!countsOk) return;
        int middles = pp - (first is null ? 0 : 1) - (last is null ? 0 : 1);
        int rest = layers - (first ?? 0) - (last ?? 0);
        string given = first is int f0 && last is int l0 ? Inv($"first-stage-layers ({f0}) and last-stage-layers ({l0})")
            : first is int f1 ? Inv($"first-stage-layers ({f1})") : Inv($"last-stage-layers ({last})");
        if (middles == 0)
        {
            if (rest != 0) problems.Add(Inv($"{given} must add up to layers ({layers}) with pp 2 (no middle stages)") + Suggest(layers, pp, vpp, first, last));
        }
        else if (rest < middles || rest % middles != 0)
            problems.Add(Inv($"{given} leave {rest} of {layers} layers for {middles} middle stages: not a whole number of at least 1 per stage") + Suggest(layers, pp, vpp, first, last));
        else if (vpp > 1 && rest / middles % vpp != 0)
            problems.Add(Inv($"layers per middle stage ({rest} / {middles} = {rest / middles}) must be divisible by vpp ({vpp})"));
    }

    /// <summary>The rules of <see cref="Counts"/> as a yes or no, to search for valid counts.</summary>
    private static bool CountsValid(int layers, int pp, int vpp, int? first, int? last)
    {
        int v = Math.Max(1, vpp);
        if (pp < 2 || first is < 1 || last is < 1 || first % v is > 0 || last % v is > 0) return false;
        int middles = pp - (first is null ? 0 : 1) - (last is null ? 0 : 1);
        int rest = layers - (first ?? 0) - (last ?? 0);
        return middles == 0 ? rest == 0 : rest >= middles && rest % middles == 0 && rest / middles % v == 0;
    }

    /// <summary>Valid values of the count the user gave (the last one, when both), up to four nearest the given value.</summary>
    private static string Suggest(int layers, int pp, int vpp, int? first, int? last)
    {
        bool varyLast = last is not null;
        int given = (varyLast ? last : first) ?? 0;
        var values = Enumerable.Range(1, Math.Max(0, layers))
            .Where(x => varyLast ? CountsValid(layers, pp, vpp, first, x) : CountsValid(layers, pp, vpp, x, null))
            .OrderBy(x => Math.Abs(x - given)).ThenBy(x => x).Take(4).Order().ToArray();
        string name = varyLast ? "last-stage-layers" : "first-stage-layers";
        string with = varyLast && first is int f ? Inv($" with first-stage-layers {f}") : "";
        if (values.Length > 0) return Inv($" (valid{with}: {name} {string.Join(", ", values)})");
        // nothing fits the other count as given: equal counts on both ends, if any work
        var equal = Enumerable.Range(1, Math.Max(0, layers / 2)).Where(x => CountsValid(layers, pp, vpp, x, x))
            .OrderBy(x => Math.Abs(x - given)).ThenBy(x => x).Take(4).Order().ToArray();
        return equal.Length > 0 ? Inv($" (valid: first-stage-layers = last-stage-layers = {string.Join(", ", equal)})") : " (no count is valid for these layers, pp and vpp)";
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
