using ParallelSim.Core.Costs;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using static ParallelSim.Core.Explain.StepList;

namespace ParallelSim.Core.Explain;

/// <summary>What was measured (or targeted): a step time, a token rate, or an MFU to turn back into both.</summary>
public sealed record MfuInput(ModelSpec Model, int Gpus, double PeakFlopsPerGpu, string GpuName, int GlobalBatch, RecomputeMode Recompute,
    double? StepSeconds, double? TokensPerSecond, double? Mfu);

/// <summary>MFU and HFU from a measured rate (PaLM's definition), and the reverse.</summary>
public static class MfuExplainer
{
    public static Explanation Explain(MfuInput i)
    {
        var s = new StepList();
        var m = i.Model;
        double seq = m.SeqLength, tokensPerStep = (double)i.GlobalBatch * seq;
        // PaLM arXiv:2204.02311 App. B: model FLOPs per token = 6N + 12·L·H·Q·T
        double perToken = s.Add("model FLOPs per token", $"6N + 12·L·h·s = 6·{E(m.Parameters)} + 12·{m.Layers}·{m.Hidden}·{seq}", FlopCount.ModelFlopsPerToken(m).Value,
            "FLOP/token", "arXiv:2204.02311 App. B");
        double extraPerSequence = i.Recompute switch
        {
            RecomputeMode.Full => m.Layers * FlopCount.LayerForward(m, 1),
            RecomputeMode.Selective => m.Layers * FlopCount.AttentionCore(m, 1, seq),
            _ => 0,
        };
        double hwPerToken = s.Add($"hardware FLOPs per token (recompute {ScheduleNames.Name(i.Recompute)} runs that part of the forward again)",
            $"{G(perToken)} + {G(extraPerSequence)}/{seq}", perToken + extraPerSequence / seq, "FLOP/token", "arXiv:2205.05198 App. A");
        double peakTotal = s.Add($"peak of the cluster: {i.Gpus} × {i.GpuName}", $"{i.Gpus} × {G(i.PeakFlopsPerGpu / 1e12)} TFLOP/s", i.Gpus * i.PeakFlopsPerGpu, "FLOP/s", "GPU spec (dense bf16)");

        double tokensPerSecond;
        if (i.Mfu is double target)
        {
            // reverse of MFU = tokens/s · FLOPs/token / peak
            tokensPerSecond = s.Add($"tokens/s at MFU {F(target, 3)}", $"MFU·peak/(FLOPs per token) = {F(target, 3)}·{G(peakTotal)}/{G(perToken)}", target * peakTotal / perToken,
                "tokens/s", "arXiv:2204.02311 §4.1 (inverted)");
            s.Add($"step time for {i.GlobalBatch} × {seq} tokens", $"{G(tokensPerStep)}/{G(tokensPerSecond)}", tokensPerStep / tokensPerSecond, "s", "definition");
        }
        else if (i.TokensPerSecond is double tps)
            tokensPerSecond = s.Add("measured tokens/s", "input", tps, "tokens/s", "input");
        else if (i.StepSeconds is double step)
            tokensPerSecond = s.Add($"tokens/s from the step time ({i.GlobalBatch} sequences × {seq} tokens per step)", $"{G(tokensPerStep)}/{G(step)} s", tokensPerStep / step,
                "tokens/s", "definition");
        else throw new ArgumentException("give a step time, a token rate, or an MFU");

        double perGpu = s.Add("model FLOP/s per GPU", $"tokens/s · FLOPs/token / n = {G(tokensPerSecond)}·{G(perToken)}/{i.Gpus}", tokensPerSecond * perToken / i.Gpus, "FLOP/s",
            "arXiv:2204.02311 §4.1");
        // PaLM §4.1: MFU = observed tokens/s over the tokens/s at peak FLOPs, counting model FLOPs only
        double mfu = s.Add("MFU", $"tokens/s · FLOPs/token / (n·peak) = {G(perGpu / 1e12)}/{G(i.PeakFlopsPerGpu / 1e12)}", perGpu / i.PeakFlopsPerGpu, "fraction",
            "arXiv:2204.02311 §4.1");
        double hfu = s.Add("HFU (counts the recomputed FLOPs too)", $"MFU · {G(hwPerToken)}/{G(perToken)}", mfu * hwPerToken / perToken, "fraction", "arXiv:2205.05198 App. A");
        s.Note("MFU is comparable across implementations: it ignores recomputation, which only HFU rewards; the attention term assumes full s×s products");
        _ = hfu;
        return s.Answer("mfu", mfu, "fraction", $"MFU {F(mfu * 100, 1)}%, HFU {F(hfu * 100, 1)}% at {G(tokensPerSecond)} tokens/s on {i.Gpus} x {i.GpuName}");
    }
}
