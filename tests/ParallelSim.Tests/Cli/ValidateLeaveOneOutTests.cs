using System.Text.Json;

namespace ParallelSim.Tests.Cli;

/// <summary>`validate --leave-one-out`: each suite predicted by stack factors fitted to the other suites.</summary>
public class ValidateLeaveOneOutTests
{
    private const string Header = ValidateRunsTests.Columns + ",framework,attention,precision,overlap,dropout,tflops_convention\n";

    // llm-foundry's H100 BF16 table (as in CalibrateStackTests), split by hand into three sources, and a memory-only source
    private static string Row(string source, string model, int layers, int hidden, int heads, int seq, int micro, int global, string recompute, double mfu) =>
        FormattableString.Invariant(
            $"{source},{model},,{layers},{hidden},{heads},{4 * hidden},50368,{seq},H100-SXM-80GB,8,1,1,8,1,,{micro},{global},{recompute},no,3,,{mfu},,,,,fsdp,flash-triton,bf16,yes,no,model\n");

    private static readonly string Runs = Header +
        Row("Lab A", "MPT-30b", 48, 7168, 56, 2048, 3, 504, "full", 0.3811) +
        Row("Lab A", "MPT-7b", 32, 4096, 32, 4096, 16, 256, "full", 0.4042) +
        Row("Lab B", "MPT-1b", 24, 2048, 16, 2048, 14, 112, "none", 0.4182) +
        Row("Lab B", "MPT-13b", 40, 5120, 40, 4096, 10, 240, "full", 0.4160) +
        Row("Lab C", "MPT-3b", 32, 2560, 20, 4096, 5, 240, "none", 0.4231) +
        "Lab D,GPT 1.3B,1.3,24,2048,16,,50304,2048,H100-SXM-80GB,8,1,1,8,,,2,64,none,,,,,,,40,,fsdp,flash-triton,bf16,yes,no,\n";

    [Fact]
    public void Leave_one_out_prints_one_row_per_suite_with_its_held_out_MAPE()
    {
        string path = ValidateRunsTests.TempFile("runs.csv", Runs);
        var text = CliRunner.Run("validate", "--runs", path, "--leave-one-out");
        Assert.True(text.ExitCode == 0, text.Err);
        var rows = text.Out.Split('\n').Where(l => l.StartsWith("runs: Lab", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["runs: Lab A", "runs: Lab B", "runs: Lab C", "runs: Lab D"], rows.Select(l => l[..11]).ToArray());
        Assert.Contains("kept", rows[0]); // one node: the NIC moves nothing

        using var doc = JsonDocument.Parse(CliRunner.Run("validate", "--runs", path, "--leave-one-out", "--format", "json").Out);
        var suites = doc.RootElement.GetProperty("suites").EnumerateArray().ToArray();
        Assert.Equal(4, suites.Length);
        var a = suites[0];
        Assert.Equal(2, a.GetProperty("timeCases").GetInt32());
        Assert.Equal(3, a.GetProperty("fittedToCases").GetInt32()); // Lab B and Lab C, never Lab A itself
        Assert.True(a.GetProperty("heldOutMapePct").GetDouble() > 0);
        Assert.Equal(["nicEfficiency"], a.GetProperty("kept").EnumerateArray().Select(k => k.GetString()!).ToArray());
        var d = suites[3];
        Assert.Equal(0, d.GetProperty("timeCases").GetInt32()); // memory only: no MAPE either way
        Assert.Equal(JsonValueKind.Null, d.GetProperty("heldOutMapePct").ValueKind);
        Assert.Equal(5, d.GetProperty("fittedToCases").GetInt32());
    }

    [Fact]
    public void Validate_stack_needs_a_runs_file() =>
        Assert.Contains("--stack applies to --runs files; none given", CliRunner.Run("validate", "--stack", "pytorch-fsdp-2023").Err);
}
