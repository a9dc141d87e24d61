using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using ParallelSim.Search;

namespace ParallelSim.Tests.Cli;

public class SweepProgressAndSpecTests
{
    [Fact]
    public void The_progress_bar_draws_on_one_line_and_erases_itself()
    {
        var w = new StringWriter();
        using (var bar = new ConsoleProgress(w))
        {
            bar.Report(new SweepProgress("screening", 0, 100));
            bar.Report(new SweepProgress("screening", 100, 100)); // the last step always draws
        }
        string s = w.ToString();
        Assert.Contains("screening  [------------------------------]   0.0%  0/100", s);
        Assert.Contains("[##############################] 100.0%  100/100", s);
        Assert.DoesNotContain("\n", s);
        Assert.EndsWith("\r", s);
    }

    [Fact]
    public void No_progress_bar_when_output_is_not_the_console()
    {
        Assert.False(ConsoleProgress.IsTerminal(new StringWriter()));
        var r = CliRunner.Run("sweep", "--layers", "4", "--hidden", "256", "--heads", "4", "--seq-length", "128", "--gpus", "8", "--global-batch", "8");
        Assert.Equal(0, r.ExitCode);
        Assert.DoesNotContain("\r", r.Out + r.Err);
    }

    [Fact]
    public void Every_shipped_sweep_spec_loads()
    {
        var names = Catalog.EmbeddedFiles("sweeps").Select(f => Path.GetFileNameWithoutExtension(f.Path)).ToArray();
        Assert.Contains("gpt3-175b-1024-a100", names);
        Assert.Contains("megatron-1t-3072-a100", names);
        foreach (var name in names)
        {
            var spec = SweepSpec.Load(name);
            Assert.NotNull(spec.Model);
            Assert.NotNull(spec.Gpus);
            Assert.True(Catalog.Default.Models.ContainsKey(spec.Model!), $"{name}: unknown model {spec.Model}");
        }
    }

    [Fact]
    public void An_unknown_spec_name_lists_the_shipped_ones()
    {
        string message = Assert.Throws<UserInputException>(() => SweepSpec.Load("nope")).Message;
        Assert.Contains("'nope' is neither a file nor a shipped sweep (shipped: ", message);
        Assert.Contains("gpt3-175b-1024-a100", message);
    }
}
