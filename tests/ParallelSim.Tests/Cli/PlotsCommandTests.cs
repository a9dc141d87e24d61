using ParallelSim.Cli.Commands;

namespace ParallelSim.Tests.Cli;

public class PlotsCommandTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void Plots_writes_every_picture_of_the_gallery()
    {
        string dir = Path.Combine(Path.GetTempPath(), "psim-gallery-" + Guid.NewGuid().ToString("N"));
        try
        {
            var r = CliRunner.Run("plots", "--out", dir);
            Assert.Equal(0, r.ExitCode);
            Assert.Equal(6, PlotsCommand.Gallery.Count);
            foreach (var (file, _, _) in PlotsCommand.Gallery)
            {
                var bytes = File.ReadAllBytes(Path.Combine(dir, file));
                Assert.True(bytes.Length > 10_000, $"{file} is only {bytes.Length} bytes");
                Assert.Equal(PngSignature, bytes[..8]);
                Assert.Contains(file, r.Out);
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void The_same_command_draws_the_same_picture_twice()
    {
        string a = Path.Combine(Path.GetTempPath(), "psim-a-" + Guid.NewGuid().ToString("N") + ".png");
        string b = Path.Combine(Path.GetTempPath(), "psim-b-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            string[] args = ["compare-schedules", "--model", "gpt3-350m", "--cluster", "workstation-2x2080ti", "--gpus", "2", "--tp", "1", "--pp", "2", "--micro-batches", "4"];
            Assert.Equal(0, CliRunner.Run([.. args, "--plot", a]).ExitCode);
            Assert.Equal(0, CliRunner.Run([.. args, "--plot", b]).ExitCode);
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
        }
        finally { File.Delete(a); File.Delete(b); }
    }

    [Fact]
    public void A_plot_path_with_another_extension_is_a_clear_error()
    {
        var r = CliRunner.Run("simulate", "--plot", "timeline.jpg");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("must end in .png or .svg", r.Err);
    }
}
