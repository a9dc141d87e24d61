using System.Text.Json;
using ParallelSim.Readers;
using ParallelSim.Core.Explain;

namespace ParallelSim.Tests.Core;

public class InitialLossExplainerTests
{
    [Fact]
    public void Uniform_logits_give_ln_V()
    {
        // hand: ln 50257 = 10.824905
        var e = InitialLossExplainer.Explain(new InitialLossInput("t", 50257, 768, 1e-9, Tied: true, FinalNorm: true, LearnedPositions: true));
        Assert.Equal(10.824905, e.Steps[0].Value!.Value, 6);
        Assert.Equal(10.82490, e.Answer.Value, 4);
    }

    [Fact]
    public void Logit_spread_adds_half_of_h_times_sigma_squared()
    {
        // hand: ln 50304 = 10.825842; Var z = 768 · 0.02² = 0.3072; + 0.1536 → 10.97944 (finite-V term -3.6e-6)
        var e = InitialLossExplainer.Explain(new InitialLossInput("t", 50304, 768, 0.02, Tied: true, FinalNorm: true, LearnedPositions: true));
        Assert.Equal(10.97944, e.Answer.Value, 4);
        Assert.Equal("nats", e.Answer.Unit);
    }

    [Fact]
    public void Without_a_final_norm_the_small_residual_stream_leaves_almost_ln_V()
    {
        // hand: |x|² ≥ h·2σ² = 768·2·0.0004 = 0.6144, Var z = 0.0004·0.6144 = 2.46e-4, correction 1.2e-4
        var e = InitialLossExplainer.Explain(new InitialLossInput("t", 50304, 768, 0.02, Tied: true, FinalNorm: false, LearnedPositions: true));
        Assert.Equal(Math.Log(50304) + 0.0004 * 0.6144 / 2, e.Answer.Value, 5);
    }

    public static IEnumerable<object[]> MeasuredH200()
    {
        var (_, text) = Catalog.EmbeddedFiles("checks").Single(f => f.Path.EndsWith("h200-initial-loss.json", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(text);
        foreach (var m in doc.RootElement.GetProperty("models").EnumerateArray())
            yield return [m.GetProperty("model").GetString()!, m.GetProperty("hidden").GetInt32(), m.GetProperty("vocab").GetInt32(),
                m.GetProperty("initialLosses").EnumerateArray().Select(x => x.GetDouble()).ToArray()];
    }

    /// <summary>
    /// The H200 runs (GPT-2 init std 0.02, tied output, final LayerNorm, vocab 50304, random tokens) measured
    /// 10.97-11.26; the derivation predicts each model's mean within 0.03 nats (run-to-run spread is about ±0.02).
    /// </summary>
    [Theory]
    [MemberData(nameof(MeasuredH200))]
    public void Matches_the_measured_H200_initial_losses(string model, int hidden, int vocab, double[] measured)
    {
        var e = InitialLossExplainer.Explain(new InitialLossInput(model, vocab, hidden, 0.02, Tied: true, FinalNorm: true, LearnedPositions: true));
        double mean = measured.Average();
        Assert.True(Math.Abs(e.Answer.Value - mean) < 0.03, $"{model}: predicted {e.Answer.Value:F4}, measured mean {mean:F4}");
        // and the uniform baseline alone would be off by more than the noise for every size
        Assert.True(mean - Math.Log(vocab) > 0.1, $"{model}: the spread correction is needed");
    }
}
