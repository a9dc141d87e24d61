using static ParallelSim.Core.Explain.StepList;

namespace ParallelSim.Core.Explain;

/// <summary>What sets the logits of a freshly initialised model.</summary>
/// <param name="Model">Where the shape comes from (a model name), for the text.</param>
/// <param name="Vocab">Softmax width V (the padded vocabulary, if the run pads it).</param>
/// <param name="Hidden">Width h of the vector the output layer reads.</param>
/// <param name="InitStd">Standard deviation of the output (or tied embedding) weights.</param>
/// <param name="Tied">Output layer tied to the input embedding.</param>
/// <param name="FinalNorm">A final LayerNorm/RMSNorm (unit gain at init) before the output layer.</param>
/// <param name="LearnedPositions">A learned position embedding is added to the token embedding (GPT).</param>
public sealed record InitialLossInput(string Model, int Vocab, int Hidden, double InitStd, bool Tied, bool FinalNorm, bool LearnedPositions);

/// <summary>
/// Expected cross-entropy at step 0 on tokens the model cannot predict: ln V for uniform logits, plus
/// half the logit variance when the logits are spread by the random output weights.
/// </summary>
public static class InitialLossExplainer
{
    public static Explanation Explain(InitialLossInput i)
    {
        var s = new StepList();
        double v = i.Vocab, h = i.Hidden, std = i.InitStd;
        // cross-entropy of a uniform prediction over V classes (Shannon): -ln(1/V) = ln V
        double baseline = s.Add("uniform prediction: every token gets probability 1/V", $"ln V = ln {v}", Math.Log(v), "nats",
            "cross-entropy of the uniform distribution");

        double xSquared;
        if (i.FinalNorm)
            // a norm with unit gain and zero bias outputs h elements of mean 0 and variance 1, so |x|² = h
            xSquared = s.Add($"final norm output x: h elements of variance 1 (gain 1, bias 0 at init); h = {h} ({i.Model})", "|x|² = h", h, "",
                "LayerNorm (arXiv:1607.06450) / RMSNorm (arXiv:1910.07467) definition");
        else
        {
            // without a final norm the output layer reads the residual stream; at init it holds at least the embeddings
            double k = i.LearnedPositions ? 2 : 1;
            double rms2 = k * std * std;
            xSquared = s.Add("no final norm: the residual stream is at least the embedding(s), each of variance σ² (blocks add more: a lower bound)",
                $"|x|² ≥ h·k·σ² = {h}·{k}·{G(std)}² ", h * rms2, "", "assumption: embeddings only");
        }

        // z_i = x·w_i with w_i ~ N(0, σ²) independent of x: z_i | x ~ N(0, σ²|x|²)
        double logitVar = s.Add($"logit z_i = x·w_i, with w_i the {(i.Tied ? "tied input-embedding" : "output-layer")} row, entries N(0, σ²), σ = {G(std)}",
            $"Var z = σ²·|x|² = {G(std)}²·{G(xSquared)}", std * std * xSquared, "nats²", "sum of h independent products");
        s.Add("the target is a random token, independent of the logits", "E[z_target] = 0", 0, "nats", "random tokens");

        // E[ln Σ e^z] for V i.i.d. N(0, σz²) logits: ln(V·E[e^z]) = ln V + σz²/2 (log-normal mean), minus the
        // second-order term Var[S]/(2E[S]²) = (e^{σz²} - 1)/(2V) of the delta method
        double spread = s.Add("log-sum-exp of V Gaussian logits: E[e^z] = e^(σz²/2) (log-normal mean)", $"σz²/2 = {G(logitVar)}/2", logitVar / 2, "nats",
            "log-normal mean; delta method for E[ln S]");
        double finite = s.Add("finite-V correction of E[ln S] (delta method)", $"-(e^σz² - 1)/(2V) = -(e^{G(logitVar)} - 1)/(2·{v})",
            -(Math.Exp(logitVar) - 1) / (2 * v), "nats", "delta method, second order");
        double loss = baseline + spread + finite;
        s.Add("expected loss at step 0", $"ln V + σz²/2 - (e^σz² - 1)/(2V) = {F(baseline, 4)} + {F(spread, 4)} - {G(-finite)}", loss, "nats", "sum of the above");

        if (i.Tied)
            s.Note("tied embeddings: the current input token's own logit is raised by x·e_input; since the target is random this only adds "
                 + "to the log-sum-exp, and it is small once the blocks' outputs dominate the residual stream (they do at init for GPT-2-style init)");
        s.Note("a real run differs: µP or zero-initialised readouts give exactly ln V; logit soft-capping, z-loss or label smoothing change it; "
             + "the padded vocabulary (e.g. 50257 -> 50304) is the V that counts; per-batch noise is about ±0.02 nats");
        return s.Answer("initial-loss", loss, "nats",
            $"expected initial loss {F(loss, 3)} nats = ln {v} ({F(baseline, 3)}) + {F(spread + finite, 3)} from the logit spread (σz² = {F(logitVar, 3)})");
    }
}
