using ParallelSim.Readers;
using ParallelSim.Core.Models;

namespace ParallelSim.Tests.Core;

public class ParameterCountTests
{
    [Theory]
    [InlineData("llama2-7b", 6_738_415_616L)]   // Hugging Face Llama-2-7b-hf parameter count
    [InlineData("llama3-8b", 8_030_261_248L)]   // Hugging Face Meta-Llama-3-8B parameter count
    public void Llama_counts_are_exact(string name, long expected) =>
        Assert.Equal(expected, Catalog.Default.Model(name).Parameters);

    [Fact]
    public void Gpt3_175b_is_near_175_billion()
    {
        long n = Catalog.Default.Model("gpt3-175b").Parameters;
        Assert.InRange(n, 174.0e9, 176.0e9);
    }

    [Fact]
    public void Megatron_eq2_agrees_for_the_gpt_family()
    {
        // arXiv:2104.04473 eq. 2: P = 12lh²(1 + 13/(12h) + (V + s)/(12lh)), counting two LayerNorms per layer plus the final one
        var m = Catalog.Default.Model("megatron-175b");
        double l = m.Layers, h = m.Hidden, v = m.Vocab, s = m.SeqLength;
        double eq2 = 12 * l * h * h * (1 + 13 / (12 * h) + (v + s) / (12 * l * h));
        Assert.Equal(eq2, m.Parameters, 1e-4 * eq2);
    }

    [Fact]
    public void Untying_the_output_layer_adds_vocab_times_hidden()
    {
        var m = Catalog.Default.Model("gpt3-125m");
        Assert.Equal((long)m.Vocab * m.Hidden, (m with { TiedEmbeddings = false }).Parameters - m.Parameters);
    }

    [Fact]
    public void Grouped_query_attention_shrinks_k_and_v()
    {
        var m = Catalog.Default.Model("llama3-8b");
        long mha = ParameterCount.Attention(m with { KvHeads = m.Heads });
        Assert.Equal(4L * m.Hidden * m.Hidden, mha);
        Assert.Equal(2L * m.Hidden * m.Hidden + 2L * m.Hidden * 1024, ParameterCount.Attention(m));
    }
}
