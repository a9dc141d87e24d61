namespace ParallelSim.Tests.Cli;

/// <summary>The sweep keeps a pp that divides only layers + 2, with the first and last stage one layer fewer, and says so.</summary>
public class SweepLayerSplitTests
{
    [Fact]
    public void Llama_3_405B_on_pp_16_is_swept_with_the_end_stages_one_layer_fewer()
    {
        string path = Path.GetTempFileName() + ".csv";
        try
        {
            var r = CliRunner.Run("sweep", "--model", "llama3-405b", "--gpu", "h100-sxm-80gb", "--gpus", "8192", "--global-batch", "2048",
                "--tp", "8", "--pp", "16", "--cp", "1", "--zero", "1", "--top", "3", "--out", path);
            Assert.True(r.ExitCode == 0, r.Err);
            Assert.Contains("(pp*: first and last stage one layer fewer, the embedding and the loss counted as layers)", r.Out);
            Assert.Contains(" 16* ", r.Out);
            Assert.Contains("Why tp8 pp16 (first/last -1 layer) dp64", r.Out);
            var lines = File.ReadAllLines(path);
            Assert.EndsWith(",layer_split", lines[0]);
            var rows = lines.Skip(1).Where(l => !l.Contains(",invalid,")).ToArray();
            Assert.NotEmpty(rows);
            Assert.All(rows, l => Assert.EndsWith(",embedding and loss as layers", l));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Even_splits_are_marked_even_and_a_pp_neither_way_divides_is_cut_with_both_numbers()
    {
        string path = Path.GetTempFileName() + ".csv";
        try
        {
            // 8 layers on 8 GPUs: pp 8 even; no pp needs the split (8 + 2 = 10 divides by none of 2, 4, 8 that 8 does not)
            var r = CliRunner.Run("sweep", "--layers", "8", "--hidden", "512", "--heads", "8", "--seq-length", "256", "--global-batch", "16",
                "--gpus", "8", "--out", path);
            Assert.True(r.ExitCode == 0, r.Err);
            var rows = File.ReadAllLines(path).Skip(1).ToArray();
            Assert.All(rows.Where(l => !l.Contains(",invalid,")), l => Assert.EndsWith(",even", l));
            // 7 layers on pp 4: neither 7 nor 9 divides
            var odd = CliRunner.Run("sweep", "--layers", "7", "--hidden", "512", "--heads", "8", "--seq-length", "256", "--global-batch", "16",
                "--gpus", "8", "--pp", "4", "--out", path);
            // an empty space is reported, not a crash (Partitioner.Create refused the empty range before)
            Assert.True(odd.ExitCode == 0, odd.Err);
            Assert.Contains("No valid plan: every choice was cut before evaluation. layers (7) must be divisible by pp (4), or layers + 2 (9)", odd.Out);
            Assert.Contains("layers (7) must be divisible by pp (4), or layers + 2 (9) with the embedding and the loss counted as layers",
                File.ReadAllText(path));
        }
        finally { File.Delete(path); }
    }
}
