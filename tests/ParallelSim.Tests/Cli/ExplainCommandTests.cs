using System.Text.Json;

namespace ParallelSim.Tests.Cli;

public class ExplainCommandTests
{
    private sealed record Parsed(string Topic, (string Text, string Formula, double? Value, string Unit, string Source)[] Steps, double? Answer, string AnswerText);

    private static Parsed Json(params string[] args)
    {
        var r = CliRunner.Run(["explain", .. args, "--format", "json"]);
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        var steps = root.GetProperty("steps").EnumerateArray().Select(s => (s.GetProperty("text").GetString()!, s.GetProperty("formula").GetString()!,
            s.GetProperty("value").ValueKind == JsonValueKind.Null ? (double?)null : s.GetProperty("value").GetDouble(),
            s.GetProperty("unit").GetString()!, s.GetProperty("source").GetString()!)).ToArray();
        var a = root.GetProperty("answer");
        return new Parsed(root.GetProperty("topic").GetString()!, steps,
            a.GetProperty("value").ValueKind == JsonValueKind.Null ? null : a.GetProperty("value").GetDouble(), a.GetProperty("text").GetString()!);
    }

    private static double Step(Parsed p, string textContains) => p.Steps.First(s => s.Text.Contains(textContains, StringComparison.Ordinal)).Value!.Value;

    [Fact]
    public void Initial_loss_with_only_a_vocabulary_prints_the_uniform_baseline_and_the_correction()
    {
        var r = CliRunner.Run("explain", "initial-loss", "--vocab", "50257");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("ln V = ln 50257 = 10.82 nats", r.Out);
        Assert.Contains("Var z = σ²·|x|²", r.Out);
        Assert.Contains("ln V + σz²/2", r.Out);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void Initial_loss_for_gpt2_small_shape_is_ln_V_plus_h_sigma_squared_over_2()
    {
        // hand: ln 50304 + 768·0.02²/2 = 10.82584 + 0.1536 = 10.9794
        var p = Json("initial-loss", "--vocab", "50304", "--hidden", "768", "--heads", "12", "--layers", "12");
        Assert.Equal("initial-loss", p.Topic);
        Assert.Equal(10.9794, p.Answer!.Value, 3);
        // a larger init std spreads the logits more: 768·0.04²/2 = 0.6144
        Assert.Equal(10.82584 + 0.6144, Json("initial-loss", "--vocab", "50304", "--hidden", "768", "--heads", "12", "--layers", "12", "--init-std", "0.04").Answer!.Value, 2);
    }

    [Fact]
    public void Json_has_topic_steps_and_answer_with_the_documented_keys()
    {
        var r = CliRunner.Run("explain", "flops", "--format", "json");
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(["topic", "steps", "answer"], doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["text", "formula", "value", "unit", "source"], doc.RootElement.GetProperty("steps")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["value", "unit", "text"], doc.RootElement.GetProperty("answer").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Memory_of_llama2_7b_on_one_80GB_GPU_shows_16_and_18_bytes_per_parameter_and_does_not_fit()
    {
        var p = Json("memory", "--model", "llama2-7b", "--gpu", "a100-sxm-80gb");
        // hand: N = 6,738,415,616 (Llama-2-7B); 16 N = 107.81 GB, 18 N = 121.29 GB
        Assert.Equal(6_738_415_616, Step(p, "parameters of llama2-7b"));
        Assert.Equal(107.81, Step(p, "policy zero"), 2);
        Assert.Equal(121.29, Step(p, "policy megatron"), 2);
        Assert.True(Step(p, "activations held at the peak") > 1, "activations are counted on top");
        Assert.True(p.Answer > 121.29);
        Assert.Contains("does not fit", p.AnswerText);
        Assert.Contains(p.Steps, s => s.Value is null && s.Text.StartsWith("does NOT fit", StringComparison.Ordinal));
    }

    [Fact]
    public void Memory_with_ZeRO_3_on_8_GPUs_shows_the_per_GPU_share()
    {
        var p = Json("memory", "--model", "llama2-7b", "--gpu", "a100-sxm-80gb", "--gpus", "8", "--zero", "3");
        // hand: 18/8 = 2.25 B/param; 2.25 × 6,738,415,616 = 15.16 GB per GPU
        Assert.Equal(2.25, Step(p, "bytes per parameter on each GPU"), 6);
        Assert.Equal(15.16, Step(p, "model states per GPU"), 2);
        Assert.Contains("fits", p.AnswerText);
        Assert.DoesNotContain("does not fit", p.AnswerText);
    }

    [Fact]
    public void Memory_total_is_the_peak_simulate_reports()
    {
        string[] flags = ["--model", "llama2-13b", "--gpus", "16", "--tp", "2", "--pp", "2", "--global-batch", "32", "--zero", "1"];
        var sim = CliRunner.Run(["simulate", .. flags, "--format", "json"]);
        using var doc = JsonDocument.Parse(sim.Out);
        double peak = doc.RootElement.GetProperty("memory").GetProperty("peakBytes").GetDouble();
        Assert.Equal(peak / 1e9, Json(["memory", .. flags]).Answer!.Value, 6);
    }

    [Fact]
    public void Lora_counts_rank_times_in_plus_out_for_each_adapted_matrix()
    {
        var p = Json("memory", "--model", "llama2-7b", "--gpu", "a100-sxm-80gb", "--lora-rank", "16", "--lora-targets", "all");
        // hand per layer: q, k, v, o 4·16·(4096 + 4096) = 524,288; gate, up 2·16·(4096 + 11008) = 483,328; down 16·(11008 + 4096) = 241,664
        Assert.Equal(1_249_280, Step(p, "LoRA adapters of rank 16"));
        Assert.Equal(32 * 1_249_280, Step(p, "trainable adapter parameters"));
        // hand: frozen bf16 base 2 × 6,738,415,616 = 13.48 GB, adapters 18 × 39,976,960 = 0.7196 GB
        Assert.Equal(13.477, Step(p, "frozen base weights in bf16"), 3);
        Assert.Equal(0.7196, Step(p, "adapters train with"), 4);
        Assert.Contains("fits", p.AnswerText);
    }

    [Fact]
    public void Qlora_stores_the_block_weights_in_about_half_a_byte()
    {
        var lora = Json("memory", "--model", "llama2-7b", "--lora-rank", "8");
        var qlora = Json("memory", "--model", "llama2-7b", "--lora-rank", "8", "--qlora");
        double nf4 = Step(qlora, "frozen base: block linear weights in NF4");
        // hand: linear weights 32·(4·4096² + 3·4096·11008) = 6,476,005,376 at 4.127/8 B + the rest (262,410,240) at 2 B = 3.866 GB
        Assert.Equal(6_476_005_376 * 4.127 / 8 / 1e9 + 262_410_240 * 2 / 1e9, nf4, 3);
        Assert.True(qlora.Answer < lora.Answer - 9);
    }

    [Fact]
    public void Train_time_for_gpt3_on_1024_A100_at_140_TFLOPs_is_about_34_days()
    {
        var p = Json("train-time", "--params", "175B", "--tokens", "300B", "--gpus", "1024", "--tflops-per-gpu", "140", "--price-per-gpu-hour", "2");
        // hand: 8 · 300e9 · 175e9 / (1024 · 140e12) = 2.9297e6 s = 33.91 days; 6ND: 25.43 days; GPU-hours 1024 · 2.9297e6/3600 = 833,333
        Assert.Equal(33.91, p.Answer!.Value, 2);
        Assert.Equal(25.43, Step(p, "for comparison, at the same X without recomputation") / 86400, 2);
        Assert.Equal(833_333, Step(p, "GPU-hours"), 0);
        Assert.Equal(1_666_667, Step(p, "cost"), 0);
        Assert.Contains(p.Steps, s => s.Text.StartsWith("why 6 vs 8", StringComparison.Ordinal));
        Assert.Contains("8·T·P/(n·X)", p.Steps.Select(s => s.Formula).First(f => f.StartsWith("8·T", StringComparison.Ordinal)));
    }

    [Fact]
    public void Train_time_from_an_MFU_uses_6ND_over_the_peak()
    {
        // hand: 6 · 175e9 · 300e9 / (1024 · 312e12 · 0.5) = 1.9719e6 s = 22.82 days
        var p = Json("train-time", "--params", "175e9", "--tokens", "300e9", "--gpus", "1024", "--gpu", "a100-sxm-80gb", "--mfu", "0.5");
        Assert.Equal(22.82, p.Answer!.Value, 2);
    }

    [Fact]
    public void Train_time_without_tokens_is_a_user_error()
    {
        var r = CliRunner.Run("explain", "train-time", "--params", "7B", "--mfu", "2");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: train-time needs --tokens", r.Err);
        Assert.Contains("error: --mfu must be in (0, 1] (got 2)", r.Err);
    }

    // a tiny GPT checkable by hand: L 2, h 64, a 4, V 100, s 16, f 256, tied
    private static readonly string[] Tiny = ["--layers", "2", "--hidden", "64", "--heads", "4", "--vocab", "100", "--seq-length", "16"];

    [Fact]
    public void Flops_per_token_are_6N_plus_12_L_h_s_and_the_GEMM_count_agrees()
    {
        var p = Json(["flops", .. Tiny, "--global-batch", "8"]);
        // hand: all parameters 100·64 + 16·64 + 2·(4·64² + 4·64 + 2·64·256 + 256 + 64 + 4·64) + 2·64 = 107,520; N of 6N leaves out the
        // 16·64 learned positions (a lookup, no FLOPs): 106,496. 6N + 12·2·64·16 = 638,976 + 24,576 = 663,552 FLOPs per token
        Assert.Equal(663_552, p.Answer!.Value);
        Assert.Equal(663_552.0 * 8 * 16, Step(p, "model FLOPs per step"));
        // bottom-up per layer: QKV 2·s·h·3h, core 4·s²·h, projection 2·s·h², MLP 2·2·s·h·f; plus logits 2·s·h·V; × 3 / s
        double layer = 2 * 16 * 64 * (64 + 128) + 4 * 16 * 16 * 64 + 2 * 16 * 64 * 64 + 2 * 2 * 16 * 64 * 256;
        Assert.Equal(3 * (2 * layer + 2 * 16 * 64 * 100) / 16, Step(p, "bottom-up"), 6);
    }

    [Fact]
    public void Mfu_from_a_step_time_and_back()
    {
        // hand: 64 sequences × 16 tokens / 1e-5 s = 1.024e8 tokens/s; × 663,552 / 312e12 = 0.21778
        var p = Json(["mfu", .. Tiny, "--gpu", "a100-sxm-80gb", "--step-seconds", "1e-5", "--recompute", "none"]);
        Assert.Equal(0.21778, p.Answer!.Value, 4);
        // reverse: MFU 0.5 → 0.5 · 312e12 / 663,552 = 235,098,380 tokens/s
        var back = Json(["mfu", .. Tiny, "--gpu", "a100-sxm-80gb", "--mfu", "0.5"]);
        Assert.Equal(235_098_380, Step(back, "tokens/s at MFU"), 0);
        Assert.Equal(0.5, back.Answer!.Value, 9);
        // the same rate given as tokens per second
        Assert.Equal(0.21778, Json(["mfu", .. Tiny, "--gpu", "a100-sxm-80gb", "--tokens-per-second", "1.024e8"]).Answer!.Value, 4);
    }

    [Fact]
    public void Numbers_are_written_in_the_invariant_culture_whatever_the_current_one()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var r = CliRunner.Run("explain", "train-time", "--params", "175B", "--tokens", "300B", "--gpus", "1024", "--tflops-per-gpu", "140");
            Assert.Contains("= 33.91 days", r.Out);
            Assert.DoesNotContain("33,91", r.Out);
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void Bubble_fractions_follow_p_m_and_v()
    {
        var p = Json("bubble", "--pp", "8", "--vpp", "3", "--micro-batches", "64", "--gpus", "64", "--tp", "8", "--global-batch", "64");
        // hand: (p-1)/m = 7/64 = 0.109375; interleaved 7/(3·64) = 0.0364583; share 7/(192 + 7) = 0.0351759
        Assert.Equal(0.109375, Step(p, "GPipe"), 9);
        Assert.Equal(0.109375, Step(p, "1F1B"), 9);
        Assert.Equal(0.0364583, p.Answer!.Value, 6);
        Assert.Equal(0.0351759, Step(p, "share of the pipeline time"), 6);
        double slot = Step(p, "one micro-batch's forward + backward");
        Assert.Equal(7 * slot / 3, Step(p, "idle time per step"), 9);
    }

    [Fact]
    public void Zb_h1_bubble_is_a_third_of_1F1Bs_with_equal_passes_and_its_idle_time_is_smaller()
    {
        // arXiv:2401.10241 Table 2 with T_F = T_B = T_W: (p - 1)/(3m) = 3/24 without a plan (tp 5 does not bind)
        Assert.Equal(0.125, Json("bubble", "--pp", "4", "--tp", "5", "--micro-batches", "8", "--schedule", "zb-h1").Answer!.Value, 9);
        string[] plan = ["bubble", "--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--global-batch", "32"];
        var zb = Json([.. plan, "--schedule", "zb-h1"]);
        var one = Json([.. plan, "--schedule", "1f1b"]);
        Assert.Equal(3.0 / 96, zb.Answer!.Value, 9);
        double zbIdle = Step(zb, "idle time per step"), oneIdle = Step(one, "idle time per step");
        Assert.True(zbIdle > 0 && zbIdle < oneIdle, $"zb-h1 {zbIdle} vs 1f1b {oneIdle}");
    }

    [Fact]
    public void Zb_h2_bubble_is_zero_with_equal_passes_and_its_idle_time_is_below_zb_h1s()
    {
        // arXiv:2401.10241 Table 2 with T_F = T_B = T_W: (p - 1)(T_F + T_B - 2T_W) = 0
        Assert.Equal(0.0, Json("bubble", "--pp", "4", "--tp", "5", "--micro-batches", "8", "--schedule", "zb-h2").Answer!.Value, 12);
        string[] plan = ["bubble", "--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--global-batch", "32"];
        double h2 = Step(Json([.. plan, "--schedule", "zb-h2"]), "idle time per step"), h1 = Step(Json([.. plan, "--schedule", "zb-h1"]), "idle time per step");
        Assert.True(h2 >= 0 && h2 < h1, $"zb-h2 {h2} vs zb-h1 {h1}");
        var memory = Json("memory", "--model", "gpt3-1.3b", "--gpus", "8", "--tp", "2", "--pp", "4", "--global-batch", "32", "--schedule", "zb-h2");
        Assert.Equal(7.0, Step(memory, "micro-batches in flight on stage 0"), 9);
    }

    [Fact]
    public void Bubble_needs_no_valid_plan()
    {
        // heads 96 are not divisible by tp 5: no plan, but the fractions still come: 3/8
        var p = Json("bubble", "--pp", "4", "--tp", "5", "--micro-batches", "8");
        Assert.Equal(0.375, p.Answer!.Value, 9);
        Assert.Contains(p.Steps, s => s.Value is null && s.Text.Contains("full plan", StringComparison.Ordinal));
    }

    [Fact]
    public void Comm_gives_the_times_simulate_uses()
    {
        string[] flags = ["--gpus", "128", "--tp", "8", "--pp", "8", "--zero", "1", "--global-batch", "64"];
        var sim = CliRunner.Run(["simulate", .. flags, "--format", "json"]);
        using var doc = JsonDocument.Parse(sim.Out);
        var time = doc.RootElement.GetProperty("time");
        var p = Json(["comm", .. flags]);
        Assert.Equal(time.GetProperty("exposedCommSeconds").GetDouble(), p.Answer!.Value, 9);
        Assert.Equal(time.GetProperty("tpCommSeconds").GetDouble(), Step(p, "TP time per step"), 9);
        // hand: one TP buffer = 1 · 2048 · 12288 · 2 B = 50.33 MB
        Assert.Equal(50.331648, Step(p, "TP: activation buffer"), 6);
    }

    [Fact]
    public void Min_gpus_for_llama2_7b_on_A100_80GB()
    {
        var p = Json("min-gpus", "--model", "llama2-7b", "--gpu", "a100-sxm-80gb");
        // hand: without ZeRO and dp only, 18 B × 6.74e9 = 121 GB never fits 85.9 GB; ZeRO-3 over 2 GPUs: 9 B × 6.74e9 = 60.6 GB + 17 GB of
        // activations is a 75.1 GiB peak, 80.2 GiB with the caching allocator's 6.8%: more than 80 GiB, so 3 (2 is "tight")
        Assert.Contains(p.Steps, s => s.Value is null && s.Text.StartsWith("ZeRO 0, data parallel only: no plan", StringComparison.Ordinal));
        Assert.Equal(3, Step(p, "ZeRO 3, data parallel only"));
        Assert.Equal(2, p.Answer!.Value);
    }

    [Fact]
    public void Bad_explain_input_lists_every_problem_and_exits_2()
    {
        var r = CliRunner.Run("explain", "memory", "--lora-rank", "0", "--lora-targets", "q,wq");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: --lora-rank must be at least 1 (got 0)", r.Err);
        Assert.Contains("error: --lora-targets 'wq' is not valid", r.Err);
        Assert.Equal(2, CliRunner.Run("explain", "flops", "--format", "csv").ExitCode);
        Assert.Equal(2, CliRunner.Run("explain", "nonsense").ExitCode);
    }
}
