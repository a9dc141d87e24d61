using ParallelSim.Readers;

namespace ParallelSim.Tests.Cli;

/// <summary>The pieces of `validate --runs`: CSV records, GPU names as papers write them, suite names per source.</summary>
public class PublishedRunsParsingTests
{
    [Theory]
    [InlineData("A100-80GB", "A100-SXM-80GB")]
    [InlineData("A100-SXM-80GB (RoCE RDMA, up to 4 nodes)", "A100-SXM-80GB")]
    [InlineData("A100", "A100-SXM-80GB")]            // memory not stated: the family's largest part
    [InlineData("A100 40GB", "A100-SXM-40GB")]
    [InlineData("H100 (80GB)", "H100-SXM-80GB")]     // SXM unless the text says PCIe
    [InlineData("H100 PCIe", "H100-PCIe-80GB")]
    [InlineData("NVIDIA H200 141GB", "H200-SXM-141GB")]
    [InlineData("H200", "H200-SXM-141GB")]
    [InlineData("V100", "V100-SXM2-32GB")]
    [InlineData("GeForce RTX 4090", "RTX-4090")]
    [InlineData("h100-sxm-80gb", "H100-SXM-80GB")]   // a catalog name as is
    public void Gpu_names_map_to_the_catalog_by_family_and_memory(string text, string expected)
    {
        var (gpu, why) = GpuNames.Match(text, Catalog.Default);
        Assert.True(gpu is not null, why);
        Assert.Equal(expected, gpu.Name);
    }

    [Theory]
    [InlineData("TPU v3", "TPUs are not modelled")]
    [InlineData("MI300X", "matches no catalog GPU")]
    [InlineData("H100 (94GB)", "no catalog GPU of that family has 94 GB")]
    [InlineData("V100 PCIe", "no PCIe part of that family")]
    public void Unknown_gpus_match_nothing_and_say_why(string text, string reason)
    {
        var (gpu, why) = GpuNames.Match(text, Catalog.Default);
        Assert.Null(gpu);
        Assert.Contains(reason, why);
    }

    [Fact]
    public void Csv_records_keep_quoted_commas_quotes_and_line_breaks_and_know_their_line()
    {
        var t = CsvTable.Parse("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n\n2,\"two\nlines\",\n3,,z", "t.csv");
        Assert.Equal(["a", "b", "c"], t.Columns);
        Assert.Equal([2, 4, 6], t.Rows.Select(r => r.Line).ToArray());
        Assert.Equal("x, y", t.Rows[0]["b"]);
        Assert.Equal("say \"hi\"", t.Rows[0]["c"]);
        Assert.Equal("two\nlines", t.Rows[1]["b"]);
        Assert.Equal("", t.Rows[1]["c"]);
        Assert.Equal("", t.Rows[2]["missing column"]);
    }

    [Fact]
    public void Csv_problems_name_the_line()
    {
        var e = Assert.Throws<UserInputException>(() => CsvTable.Parse("a,b\n1,2,3\n\"open,4\n", "t.csv"));
        Assert.Contains("t.csv line 2: 3 fields, the header has 2 (a comma inside an unquoted field?)", e.Problems);
        Assert.Contains("t.csv line 3: a quoted field is not closed (a \" is missing)", e.Problems);
    }

    [Fact]
    public void Suites_are_named_by_a_short_source_kept_apart_by_its_last_part()
    {
        var names = PublishedRunsReader.SuiteNames(
            ["Korthikanti et al. 2022, arXiv:2205.05198, Tables 3 and 5", "Korthikanti et al. 2022, arXiv:2205.05198, abstract",
             "NVIDIA/Megatron-LM README + images/model_table.png (commit 937571cfd4, Jul 2024)", "Chowdhery et al. 2022 (PaLM), arXiv:2204.02311", ""],
            "runs");
        Assert.Equal(["runs: Korthikanti et al. 2022, Tables 3 and 5", "runs: Korthikanti et al. 2022, abstract", "runs: NVIDIA/Megatron-LM README",
            "runs: Chowdhery et al. 2022", "runs"], names.Values.ToArray());
    }
}
