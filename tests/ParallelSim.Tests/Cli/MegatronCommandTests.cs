using System.Text.Json;
using ParallelSim.Readers;

namespace ParallelSim.Tests.Cli;

public class MegatronCommandTests
{
    private static string Example()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ParallelSim.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "configs", "examples", "gpt3-175b-launch.sh");
    }

    [Fact]
    public void The_gpt3_175b_launch_line_is_explained_argument_by_argument_and_simulated()
    {
        var r = CliRunner.Run("megatron", "--file", Example());
        Assert.True(r.ExitCode == 0, r.Err);
        // every flag of the script has its own row
        var flags = MegatronArgs.Words(File.ReadAllText(Example())).Where(w => w.StartsWith("--", StringComparison.Ordinal)).Select(MegatronArgs.Normal).ToArray();
        Assert.True(flags.Length >= 30);
        var lines = r.Out.Split('\n');
        foreach (var f in flags) Assert.Contains(lines, l => l.StartsWith(f + " ", StringComparison.Ordinal));
        Assert.Contains("0 unknown", r.Out);
        Assert.Contains("vocabulary 50257 padded to 51200", r.Out);
        Assert.Contains("megatron-launch on 1024 x A100-SXM-80GB (128 x dgx-a100)", r.Out);
        Assert.Contains("tp 8, pp 16, dp 8, cp 1, vpp 1; micro-batch 1, global batch 1536 (192 micro-batches)", r.Out);
        Assert.Contains("ZeRO 1", r.Out);
        Assert.Contains("96 layers, hidden 12288, 96 heads", r.Out);
    }

    [Fact]
    public void An_unknown_argument_is_reported_not_dropped()
    {
        var r = CliRunner.Run("megatron", "--", "pretrain_gpt.py", "--num-layers", "4", "--hidden-size", "256", "--num-attention-heads", "4",
            "--seq-length", "128", "--vocab-size", "1000", "--frobnicate-kernels", "3", "--bf16");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("1 unknown", r.Out);
        Assert.Contains(r.Out.Split('\n'), l => l.StartsWith("--frobnicate-kernels", StringComparison.Ordinal) && l.Contains("UNKNOWN"));
        Assert.Contains("unknown (reported, not simulated): --frobnicate-kernels", r.Out);
        Assert.Contains("warning: unknown argument --frobnicate-kernels: not simulated", r.Err);
    }

    [Fact]
    public void Virtual_stages_gqa_swiglu_and_untied_output_enter_the_plan()
    {
        var r = CliRunner.Run("megatron", "--format", "json", "--", "torchrun", "--nnodes", "2", "--nproc-per-node", "8", "pretrain_gpt.py",
            "--num-layers", "32", "--hidden-size", "4096", "--num-attention-heads", "32", "--group-query-attention", "--num-query-groups", "8",
            "--swiglu", "--normalization", "RMSNorm", "--position-embedding-type", "rope", "--untie-embeddings-and-output-weights",
            "--seq-length", "4096", "--vocab-size", "32000", "--micro-batch-size", "1", "--global-batch-size", "64",
            "--tensor-model-parallel-size", "2", "--pipeline-model-parallel-size", "4", "--num-layers-per-virtual-pipeline-stage", "2",
            "--recompute-granularity", "full", "--recompute-method", "uniform", "--bf16", "--use-flash-attn");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var sim = doc.RootElement.GetProperty("simulation");
        var model = sim.GetProperty("model"); var plan = sim.GetProperty("plan");
        // Megatron's SwiGLU default: int(4·4096·2/3 / 64)·64 = 10880
        Assert.Equal(10880, model.GetProperty("ffnHidden").GetInt32());
        Assert.Equal(8, model.GetProperty("kvHeads").GetInt32());
        Assert.Equal("llama", model.GetProperty("arch").GetString());
        Assert.False(model.GetProperty("tiedEmbeddings").GetBoolean());
        // 32 layers / (pp 4 × 2 per chunk) = 4 chunks per rank; world 16 / (2 · 4) = dp 2
        Assert.Equal(4, plan.GetProperty("vpp").GetInt32());
        Assert.Equal("interleaved", plan.GetProperty("schedule").GetString());
        Assert.Equal(2, plan.GetProperty("dp").GetInt32());
        Assert.Equal("full", plan.GetProperty("recompute").GetString());
        // 32000 is already a multiple of 128 · 2
        Assert.Equal(32000, model.GetProperty("vocab").GetInt32());
        // torchrun, its 2 flags, the script and 20 pretrain_gpt.py flags
        Assert.Equal(24, doc.RootElement.GetProperty("arguments").GetArrayLength());
    }

    [Fact]
    public void A_line_without_the_shape_lists_every_missing_argument()
    {
        var r = CliRunner.Run("megatron", "--", "pretrain_gpt.py", "--tensor-model-parallel-size", "8", "--bf16");
        Assert.Equal(2, r.ExitCode);
        foreach (var f in new[] { "--num-layers", "--hidden-size", "--num-attention-heads", "--seq-length" })
            Assert.Contains($"error: {f} is required", r.Err);
        Assert.Contains("error: the vocabulary is unknown", r.Err);
        Assert.Contains("--tensor-model-parallel-size", r.Out);
    }

    [Fact]
    public void Environment_settings_and_the_python_launcher_are_known_and_chunks_per_rank_set_vpp()
    {
        var r = CliRunner.Run("megatron", "--format", "json", "--", "CUDA_DEVICE_MAX_CONNECTIONS=1", "python", "-m", "torch.distributed.run",
            "--nproc_per_node", "8", "pretrain_gpt.py", "--num-layers", "24", "--hidden-size", "2048", "--num-attention-heads", "16",
            "--seq-length", "2048", "--vocab-size", "50257", "--tensor-model-parallel-size", "2", "--pipeline-model-parallel-size", "2",
            "--num-virtual-stages-per-pipeline-rank", "3", "--global-batch-size", "16", "--bf16");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Empty(doc.RootElement.GetProperty("unknown").EnumerateArray());
        var plan = doc.RootElement.GetProperty("simulation").GetProperty("plan");
        Assert.Equal(3, plan.GetProperty("vpp").GetInt32());
        Assert.Equal(2, plan.GetProperty("dp").GetInt32()); // 8 / (2 · 2)
        // 50257 padded to a multiple of 128 · 2 = 256: 50432
        Assert.Equal(50432, doc.RootElement.GetProperty("simulation").GetProperty("model").GetProperty("vocab").GetInt32());
    }
}
