using static ParallelSim.Core.Explain.StepList;

namespace ParallelSim.Core.Explain;

/// <summary>
/// Inputs of the end-to-end training-time estimate. Give either the achieved per-GPU rate
/// (<see cref="AchievedFlopsPerGpu"/>, counted as Megatron reports it: every FLOP run, recomputation included)
/// or an MFU with the peak (<see cref="Mfu"/>, <see cref="PeakFlopsPerGpu"/>).
/// </summary>
public sealed record TrainTimeInput(double Parameters, double Tokens, int Gpus, double? AchievedFlopsPerGpu, double? Mfu,
    double? PeakFlopsPerGpu, bool FullRecompute, double? PricePerGpuHour, string RateSource);

/// <summary>Days and GPU-hours to train N parameters on D tokens: 6ND or, with recomputation, 8ND FLOPs.</summary>
public static class TrainTimeExplainer
{
    public const double SecondsPerDay = 86400;

    public static Explanation Explain(TrainTimeInput i)
    {
        var s = new StepList();
        double n = i.Parameters, d = i.Tokens, gpus = i.Gpus;
        s.Add("parameters N", "N", n, "parameters", "input");
        s.Add("training tokens D (T in arXiv:2104.04473)", "D", d, "tokens", "input");
        // arXiv:2001.08361 §2.1 / arXiv:2104.04473 §5.1: forward 2N per token (one multiply-add per weight)
        s.Add("forward: one multiply-add (2 FLOPs) per parameter per token", "2·N·D", 2 * n * d, "FLOP", "arXiv:2104.04473 §5.1; arXiv:2001.08361 §2.1");
        // backward: gradient w.r.t. the inputs and w.r.t. the weights, each as large as the forward
        s.Add("backward: input gradients (2N) + weight gradients (2N) per token", "4·N·D", 4 * n * d, "FLOP", "arXiv:2104.04473 App. (dgrad + wgrad)");
        double model = s.Add("model FLOPs without recomputation: 6 = 2 forward + 4 backward", $"6·N·D = 6·{E(n)}·{E(d)}", 6 * n * d, "FLOP", "arXiv:2001.08361 §2.1 (C = 6ND)");
        // arXiv:2104.04473 eq. 4: full activation recomputation runs the forward twice, so 8 = 6 + 2
        double hardware = s.Add("with full activation recomputation the forward runs again: 8 = 6 + 2", $"8·N·D = 8·{E(n)}·{E(d)}", 8 * n * d, "FLOP",
            "arXiv:2104.04473 §5.1 eq. 4");

        double seconds, otherSeconds; string answerFormula;
        if (i.AchievedFlopsPerGpu is double x)
        {
            double cluster = s.Add($"cluster rate: n GPUs × achieved X per GPU ({i.RateSource})", $"n·X = {gpus}·{G(x / 1e12)} TFLOP/s", gpus * x, "FLOP/s", "input");
            double work = i.FullRecompute ? hardware : model;
            seconds = work / cluster;
            otherSeconds = (i.FullRecompute ? model : hardware) / cluster;
            // arXiv:2104.04473 eq. 4: end-to-end time ≈ 8TP/(nX) with recomputation (X counts the recomputed FLOPs); 6TP/(nX) without
            answerFormula = $"{(i.FullRecompute ? 8 : 6)}·T·P/(n·X) = {(i.FullRecompute ? 8 : 6)}·{E(d)}·{E(n)}/({gpus}·{G(x)})";
            s.Add(i.FullRecompute ? "time with recomputation (X counts every FLOP run, as Megatron reports it)" : "time without recomputation",
                answerFormula, seconds, "s", "arXiv:2104.04473 §5.1 eq. 4");
            s.Add(i.FullRecompute ? "for comparison, at the same X without recomputation (6ND)" : "for comparison, with full recomputation (8ND)",
                $"{(i.FullRecompute ? 6 : 8)}·N·D/(n·X)", otherSeconds, "s", "arXiv:2104.04473 §5.1");
        }
        else if (i.Mfu is double u && i.PeakFlopsPerGpu is double peak)
        {
            double cluster = s.Add($"useful rate: n GPUs × peak × MFU ({i.RateSource})", $"n·peak·MFU = {gpus}·{G(peak / 1e12)} TFLOP/s·{F(u, 3)}", gpus * peak * u, "FLOP/s",
                "arXiv:2204.02311 §4.1 (MFU counts model FLOPs only)");
            // MFU counts only the 6ND model FLOPs, so recomputation is already inside the MFU: time = 6ND/(n·peak·MFU)
            seconds = model / cluster;
            otherSeconds = seconds;
            answerFormula = $"6·N·D/(n·peak·MFU) = 6·{E(n)}·{E(d)}/({gpus}·{G(peak)}·{F(u, 3)})";
            s.Add("time: MFU counts model FLOPs only, so 6ND (recomputation lowers the MFU instead)", answerFormula, seconds, "s", "arXiv:2204.02311 §4.1");
            s.Add("hardware FLOP rate per GPU this implies with full recomputation (8/6 of the model rate)", $"8/6·peak·MFU", 8.0 / 6 * peak * u, "FLOP/s",
                "arXiv:2104.04473 §5.1");
        }
        else throw new ArgumentException("give an achieved FLOP rate per GPU, or an MFU and a peak");

        double days = s.Add("days", $"{G(seconds)} s / 86400", seconds / SecondsPerDay, "days", "unit conversion");
        double gpuHours = s.Add("GPU-hours", $"n·seconds/3600 = {gpus}·{G(seconds)}/3600", gpus * seconds / 3600, "GPU-hours", "unit conversion");
        string cost = "";
        if (i.PricePerGpuHour is double price)
        {
            double dollars = s.Add("cost", $"GPU-hours × price = {G(gpuHours)}·{G(price)}", gpuHours * price, "USD", "input price");
            cost = $", {G(gpuHours)} GPU-hours, about ${dollars.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}";
        }
        else cost = $", {G(gpuHours)} GPU-hours";
        s.Note("why 6 vs 8: 6ND counts the work the model needs (2 forward + 4 backward per parameter and token); with full activation "
             + "recomputation every forward runs twice, so the GPUs do 8ND. Megatron's X counts what the GPUs run, hence 8TP/(nX); MFU counts 6ND.");
        s.Note("both ignore attention's s² term (12·L·h·s per token, PaLM App. B: a few % at s = 2048 for 175B) and the logits layer outside N");
        return s.Answer("train-time", days, "days", $"about {F(days, 1)} days on {gpus} GPUs{cost}");
    }
}
