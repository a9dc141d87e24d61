using ParallelSim.Readers;

namespace ParallelSim.Tests.Cli;

public class CatalogTests
{
    public static TheoryData<string> GpuNames => new(["V100-SXM2-32GB", "A100-SXM-40GB", "A100-SXM-80GB", "H100-SXM-80GB", "H100-PCIe-80GB",
        "H200-SXM-141GB", "B200", "RTX-2080-Ti", "RTX-3090", "RTX-4090"]);
    public static TheoryData<string> NodeNames => new(["dgx-a100", "dgx-a100-40gb", "dgx-h100", "hgx-h200", "dgx-v100", "workstation-2x2080ti"]);
    public static TheoryData<string> ModelNames => new(["gpt3-125m", "gpt3-350m", "gpt3-760m", "gpt3-1.3b", "gpt3-2.7b", "gpt3-6.7b", "gpt3-13b",
        "gpt3-175b", "megatron-22b", "megatron-175b", "megatron-530b", "megatron-1t", "llama2-7b", "llama2-13b", "llama2-70b", "llama3-8b",
        "llama3-70b", "llama3-405b", "llama3.2-1b", "llama3.2-3b", "bloom-176b"]);

    [Theory, MemberData(nameof(GpuNames))]
    public void Every_gpu_loads_with_a_source_and_a_usual_node(string name)
    {
        var g = Catalog.Default.Gpu(name.ToLowerInvariant()); // names match case-insensitively
        Assert.True(g.PeakBf16.Value > 1e12 && g.Memory.GiB > 10 && g.HbmBandwidth.GBps > 100);
        Assert.False(string.IsNullOrWhiteSpace(g.Source.Citation));
        Assert.Equal(g.Name, Catalog.Default.Node(g.DefaultNode).Gpu.Name);
    }

    [Theory, MemberData(nameof(NodeNames))]
    public void Every_required_node_type_loads(string name)
    {
        var n = Catalog.Default.Node(name.ToUpperInvariant());
        Assert.True(n.GpusPerNode >= 2 && n.InterNode.Bandwidth.Value > 0 && n.IntraNode.Bandwidth.Value > 0);
    }

    [Fact]
    public void The_workstation_has_no_nvlink()
    {
        var n = Catalog.Default.Node("workstation-2x2080ti");
        Assert.Equal(2, n.GpusPerNode);
        Assert.Equal(ParallelSim.Core.Hardware.LinkKind.PCIe, n.IntraNode.Kind);
    }

    [Fact]
    public void Dgx_a100_has_a_200_gbit_nic_per_gpu() =>
        Assert.Equal(25e9, Catalog.Default.Node("dgx-a100").InterNode.Bandwidth.Value, 1);

    [Theory, MemberData(nameof(ModelNames))]
    public void Every_model_loads_and_has_a_consistent_shape(string name)
    {
        var m = Catalog.Default.Model(name);
        Assert.Equal(0, m.Hidden % m.Heads);
        Assert.Equal(0, m.Heads % m.KvHeads);
        Assert.True(m.Parameters > 1e8);
    }

    [Fact]
    public void An_unknown_gpu_lists_the_valid_names()
    {
        var e = Assert.Throws<UserInputException>(() => Catalog.Default.Gpu("A200"));
        Assert.Contains("unknown GPU 'A200'", e.Message);
        Assert.Contains("H100-SXM-80GB", e.Message);
    }

    [Fact]
    public void A_hugging_face_llama_config_loads()
    {
        string dir = Path.Combine(Path.GetTempPath(), "psim-hf-" + Guid.NewGuid().ToString("N"), "Llama-2-7b-hf");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008,
             "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32, "vocab_size": 32000,
             "max_position_embeddings": 4096, "rms_norm_eps": 1e-05, "tie_word_embeddings": false, "torch_dtype": "float16"}
            """);
        var m = Catalog.Default.Model(path);
        Assert.Equal("Llama-2-7b-hf", m.Name);
        Assert.Equal(6_738_415_616L, m.Parameters);
    }

    [Fact]
    public void A_hugging_face_gpt2_config_loads()
    {
        string path = Path.Combine(Path.GetTempPath(), "psim-gpt2-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """{"model_type": "gpt2", "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024, "vocab_size": 50257}""");
        // GPT-2 small: 124,439,808 parameters (Hugging Face gpt2, tied output layer)
        Assert.Equal(124_439_808L, Catalog.Default.Model(path).Parameters);
    }

    [Fact]
    public void A_malformed_json_names_the_file_and_line()
    {
        string path = Path.Combine(Path.GetTempPath(), "psim-bad-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, "{\n  \"arch\": \"gpt\",\n  \"layers\": 12,,\n}");
        var e = Assert.Throws<UserInputException>(() => Catalog.Default.Model(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void Unknown_keys_in_a_model_file_are_errors()
    {
        string path = Path.Combine(Path.GetTempPath(), "psim-key-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """{"name": "x", "arch": "gpt", "layers": 2, "hidden": 64, "heads": 4, "ffnHidden": 256, "vocab": 100, "seqLength": 32, "tiedEmbeddings": true, "hiddn": 3}""");
        var e = Assert.Throws<UserInputException>(() => Catalog.Default.Model(path));
        Assert.Contains("unknown key \"hiddn\"", e.Message);
    }
}
