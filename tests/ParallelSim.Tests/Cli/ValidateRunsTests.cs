using System.Text.Json;
using ParallelSim.Readers;
using ParallelSim.Core.Costs;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Simulation;

namespace ParallelSim.Tests.Cli;

/// <summary>`validate --runs FILE.csv`: published runs in the schema of the public run list.</summary>
public class ValidateRunsTests
{
    /// <summary>The public run list's columns, in its order.</summary>
    internal const string Columns =
        "source,model,params_b,layers,hidden,heads,ffn_hidden,vocab,seq_len,gpu,num_gpus,tp,pp,dp,cp,vpp,micro_batch,global_batch," +
        "recompute,sequence_parallel,zero_stage,reported_tflops_per_gpu,reported_mfu,reported_hfu,reported_iter_time_s,reported_memory_gb,notes";

    private const string Header = Columns + ",extra_column\n";

    // a quoted source and GPU with commas inside, a doubled quote, an extra column, a TPU row, a ZB-2p row and a ZB-1p row
    private const string Small = Header +
        "\"Lab A, 2025, Table 2\",GPT 1.3B,1.3,24,2048,16,,50304,2048,\"H100 (80GB)\",16,2,1,,,,2,256,none,,,,0.45,,2.5,,\"with \"\"care\"\", see text\",ignored\n" +
        "\"Lab A, 2025, Table 2\",GPT 1.3B full,1.3,24,2048,16,8192,50304,2048,A100-80GB,8,1,1,8,,,1,64,full,no,1 (ZeRO-1),150,,,,,,\n" +
        "Paper B,Gopher 280B,280,80,16384,128,65536,32000,2048,TPU v3,4096,,,,,,,,,,,,0.325,,,,,\n" +
        "Paper B,GPT-3-like 1.5B / schedule ZB-2p,1.5,24,2304,24,9216,32000,1024,\"A100-SXM-80GB (RoCE RDMA, up to 4 nodes)\",8,1,8,1,,,6,144,,,,,,,,59,,\n" +
        "Paper B,GPT-3-like 1.5B / schedule ZB-1p,1.5,24,2304,24,9216,32000,1024,\"A100-SXM-80GB (RoCE RDMA, up to 4 nodes)\",8,1,8,1,,,6,144,,,,,,,,32,peak 32 GiB,\n";

    private static readonly CostOptions Options = CostOptions.Default with { Dropout = false, IncludeRuntimeReserve = false };

    /// <summary>Writes text to a fresh folder as <paramref name="name"/> and returns the path.</summary>
    internal static string TempFile(string name, string text)
    {
        string dir = Path.Combine(Path.GetTempPath(), "psim-validate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static SimulationResult Evaluate(ModelSpec model, string node, int gpus, ParallelPlan plan) =>
        Evaluator.Evaluate(model, new ClusterSpec(Catalog.Default.Node(node), gpus), plan, Options);

    private static JsonElement Suite(JsonDocument doc, string name) =>
        doc.RootElement.GetProperty("suites").EnumerateArray().Single(s => s.GetProperty("suite").GetString() == name);

    [Fact]
    public void Small_csv_maps_each_reported_number_to_a_case_and_skips_what_it_cannot_evaluate()
    {
        var r = CliRunner.Run("validate", "--runs", TempFile("runs.csv", Small), "--format", "json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(["runs: Lab A", "runs: Paper B"],
            doc.RootElement.GetProperty("suites").EnumerateArray().Select(s => s.GetProperty("suite").GetString()!).ToArray());

        var a = Suite(doc, "runs: Lab A");
        Assert.Equal("Lab A, 2025, Table 2", a.GetProperty("source").GetString());
        var cases = a.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(["Mfu", "IterationSeconds", "HardwareTflopsPerGpu"], cases.Select(c => c.GetProperty("metric").GetString()!).ToArray());
        Assert.Equal("runs.csv line 2, reported_mfu", cases[0].GetProperty("locator").GetString());

        // row 2: dp = 16 / (tp 2) = 8, ffn 4h, micro 2, sequence parallel on (tp > 1, even without selective recompute), H100 (80GB) is the SXM part
        var gpt = new ModelSpec("GPT 1.3B", Architecture.Gpt, 24, 2048, 16, 16, 8192, 50304, 2048, true, new Source("test"));
        var row2 = Evaluate(gpt, "dgx-h100", 16, new ParallelPlan(2, 1, 8, 1, 1, 2, 256, ZeroStage.None, RecomputeMode.None, true,
            ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true));
        Assert.Equal(row2.Throughput.Mfu, cases[0].GetProperty("predicted").GetDouble(), 12);
        Assert.Equal(row2.Time.Step.Value, cases[1].GetProperty("predicted").GetDouble(), 12);
        // row 3: full recompute, so TFLOP/s is the hardware rate (arXiv:2104.04473 eq. 3); "1 (ZeRO-1)" reads as stage 1
        var row3 = Evaluate(gpt, "dgx-a100", 8, new ParallelPlan(1, 1, 8, 1, 1, 1, 64, ZeroStage.OptimizerStates, RecomputeMode.Full, false,
            ScheduleKind.OneFOneB, PrecisionPolicy.Megatron, true));
        Assert.Equal(row3.Throughput.HardwareFlopsPerGpu.Value / 1e12, cases[2].GetProperty("predicted").GetDouble(), 9);
        Assert.NotEqual(row3.Throughput.ModelFlopsPerGpu.Value, row3.Throughput.HardwareFlopsPerGpu.Value);

        var b = Suite(doc, "runs: Paper B");
        var memory = b.GetProperty("cases").EnumerateArray().Single();
        Assert.Equal("PeakGiB", memory.GetProperty("metric").GetString()); // the notes say GiB
        var zb = new ModelSpec("zb", Architecture.Gpt, 24, 2304, 24, 24, 9216, 32000, 1024, true, new Source("test"));
        var row6 = Evaluate(zb, "dgx-a100", 8, new ParallelPlan(1, 8, 1, 1, 1, 6, 144, ZeroStage.None, RecomputeMode.None, false,
            ScheduleKind.ZeroBubbleH1, PrecisionPolicy.Megatron, true));
        Assert.Equal(row6.Memory.Peak.GiB, memory.GetProperty("predicted").GetDouble(), 9);

        var skipped = b.GetProperty("skipped").EnumerateArray().ToArray();
        Assert.Equal(2, skipped.Length);
        Assert.Equal("runs.csv line 4", skipped[0].GetProperty("locator").GetString());
        Assert.Contains("TPUs are not modelled", skipped[0].GetProperty("reason").GetString());
        Assert.Equal("ZB-2p not implemented", skipped[1].GetProperty("reason").GetString());
    }

    [Fact]
    public void Table_output_lists_the_skipped_rows_with_their_reasons()
    {
        var r = CliRunner.Run("validate", "--runs", TempFile("runs.csv", Small));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("skipped (not evaluated, not in the MAPE)", r.Out);
        Assert.Contains("runs.csv line 5  line 5: GPT-3-like 1.5B / schedule ZB-2p  ZB-2p not implemented", r.Out);
        Assert.DoesNotContain("korthikanti-2022-table5", r.Out); // the embedded suites do not run with a file option
    }

    [Fact]
    public void Malformed_numbers_are_errors_all_at_once_with_exit_2()
    {
        string bad = Small.Replace(",2048,16,,50304,2048,\"H100", ",2o48,16,,50304,2048,\"H100").Replace(",0.45,,2.5,", ",45,,2.5 s,")
            .Replace(",1 (ZeRO-1),", ",5,");
        var r = CliRunner.Run("validate", "--runs", TempFile("runs.csv", bad));
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        var lines = r.Err.Trim().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("error: ", l));
        Assert.Contains("line 2: hidden \"2o48\" is not a whole number", r.Err);
        Assert.Contains("line 2: reported_mfu is 45; it is a fraction of peak (0.41 for 41%, or write 41%)", r.Err);
        Assert.Contains("line 2: reported_iter_time_s \"2.5 s\" is not a number", r.Err);
        Assert.Contains("line 3: zero_stage is 5; it must be 0 to 3", r.Err);
    }

    [Fact]
    public void A_file_without_the_essential_columns_is_an_error_naming_them()
    {
        var r = CliRunner.Run("validate", "--runs", TempFile("runs.csv", "source,model,layers,hidden,reported_mfu\nx,y,2,64,0.4\n"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("the header lacks the columns heads, vocab, seq_len, gpu, num_gpus", r.Err);
    }

    [Fact]
    public void A_mape_limit_fails_the_suites_above_it_and_needs_runs()
    {
        string path = TempFile("runs.csv", Small);
        Assert.Equal(0, CliRunner.Run("validate", "--runs", path, "--mape-limit", "1000").ExitCode);
        var tight = CliRunner.Run("validate", "--runs", path, "--mape-limit", "0.001", "--format", "json");
        Assert.Equal(1, tight.ExitCode);
        using var doc = JsonDocument.Parse(tight.Out);
        Assert.False(Suite(doc, "runs: Lab A").GetProperty("passed").GetBoolean());
        Assert.True(Suite(doc, "runs: Paper B").GetProperty("mapePct").GetDouble() >= 0);
        var alone = CliRunner.Run("validate", "--mape-limit", "5");
        Assert.Equal(2, alone.ExitCode);
        Assert.Contains("--mape-limit applies to --runs files", alone.Err);
    }

    [Fact]
    public void The_published_run_list_gives_a_mape_per_source_and_lists_every_skipped_row()
    {
        string copy = Path.Combine(AppContext.BaseDirectory, "Data", "published-runs.csv");
        var r = CliRunner.Run("validate", "--runs", copy, "--format", "json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var suites = doc.RootElement.GetProperty("suites").EnumerateArray()
            .ToDictionary(s => s.GetProperty("suite").GetString()!, s => (Cases: s.GetProperty("cases").GetArrayLength(), Skipped: s.GetProperty("skipped")));
        var expected = new Dictionary<string, (int Cases, int Skipped)>
        {
            ["published-runs: Korthikanti et al. 2022, Tables 3 and 5"] = (16, 0), // Table 5 times, and MFU/HFU of the present-work rows
            ["published-runs: Korthikanti et al. 2022, abstract"] = (0, 2),         // vocab not given
            // strong-scaling ends: no plan given. The weak-scaling rows leave zero_stage and recompute empty; ZeRO 0 without
            // recomputation needs more than 80 GiB for four of them, so the least change that fits is taken (here the distributed optimizer)
            ["published-runs: NVIDIA/Megatron-LM README"] = (18, 2),
            ["published-runs: Chowdhery et al. 2022"] = (0, 4),                      // TPUs, no vocab, no GPU count
            ["published-runs: Qi et al. 2024"] = (0, 48),                            // no vocab in the list
        };
        Assert.Equal(expected.Keys.Order(), suites.Keys.Order());
        foreach (var (name, (cases, skipped)) in expected)
        {
            Assert.Equal(cases, suites[name].Cases);
            Assert.Equal(skipped, suites[name].Skipped.GetArrayLength());
        }
        var reasons = suites.Values.SelectMany(s => s.Skipped.EnumerateArray()).Select(s => s.GetProperty("reason").GetString()!).ToArray();
        Assert.Equal(2, reasons.Count(x => x.Contains("TPUs are not modelled")));
        Assert.Equal(12, reasons.Count(x => x.Contains("ZB-2p not implemented")));
        Assert.Single(reasons, x => x.Contains("recompute \"partial (remat)\" is not modelled"));
        Assert.Single(reasons, x => x.Contains("the plan filled in (tp 1 pp 1 dp 96"));
        Assert.DoesNotContain(reasons, x => x.Contains("the run fitted, so the memory model or a defaulted column is off"));

        // Korthikanti's Table 5 rows on one documented default policy (flash attention, no dropout) stay within 15% on average
        var korthikanti = Suite(doc, "published-runs: Korthikanti et al. 2022, Tables 3 and 5");
        Assert.InRange(korthikanti.GetProperty("mapePct").GetDouble(), 0.1, 15);

        var table = CliRunner.Run("validate", "--runs", copy);
        Assert.Matches(@"published-runs: Korthikanti et al\. 2022, Tables 3 and 5\s+16\s+0\s+0\s+\d+\.\d\d%", table.Out);
        Assert.Matches(@"published-runs: Qi et al\. 2024\s+0\s+0\s+48\s+-", table.Out);
    }
}
