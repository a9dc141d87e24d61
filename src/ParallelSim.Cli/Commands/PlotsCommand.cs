using System.CommandLine;
using System.Diagnostics;
using ParallelSim.Readers;

namespace ParallelSim.Cli.Commands;

/// <summary>
/// `parallelsim plots --out plots/`: regenerates the gallery, one picture of each kind, for named, realistic
/// cases. Each picture is made by running the command a user would run (in-process), so the gallery shows
/// exactly what the commands draw.
/// </summary>
public static class PlotsCommand
{
    /// <summary>File name, what it shows, and the command line that draws it ({0} = the output path).</summary>
    public static readonly IReadOnlyList<(string File, string What, string[] Args)> Gallery =
    [
        ("timeline-gpt3-350m-2x2080ti.png", "GPipe, 1F1B, ZB-H1, ZB-H2, interleaved 1F1B and DualPipeV timelines of GPT-3 350M split over the two RTX 2080 Ti workstation (p 2, m 8)",
            ["compare-schedules", "--model", "gpt3-350m", "--cluster", "workstation-2x2080ti", "--gpus", "2", "--tp", "1", "--pp", "2",
             "--micro-batches", "8", "--plot", "{0}"]),
        ("bubble-gpt3-175b-64xa100.png", "bubble fraction vs micro-batches for GPT-3 175B on 64 A100s (tp 8, p 8, interleaved v 2), simulated",
            ["compare-schedules", "--micro-batches", "8,16,32,64,128", "--bubble-plot", "{0}"]),
        ("memory-gpt3-175b-1024xa100.png", "memory per stage of GPT-3 175B on 1024 A100s, tp 8 pp 8 dp 16, 1F1B without recomputation, sequence parallelism or flash attention: stage 0 holds 8 micro-batches and does not fit",
            ["simulate", "--gpus", "1024", "--global-batch", "1536", "--recompute", "none", "--sequence-parallel", "false", "--flash-attention", "false", "--memory-plot", "{0}"]),
        ("sweep-megatron-1t-3072xa100.png", "the plan space of the 1T model on 3072 A100s (global batch 3072): best MFU per (tp, pp)",
            ["sweep", "--spec", "megatron-1t-3072-a100", "--objective", "mfu", "--plot", "{0}"]),
        ("pareto-gpt3-175b-a100.png", "GPUs vs days to train GPT-3 175B on 300B tokens (512, 1024, 2048 A100s; ZeRO 0 or 1)",
            ["sweep", "--model", "gpt3-175b", "--gpus", "512,1024,2048", "--global-batch", "1536", "--zero", "0,1", "--pareto-plot", "{0}"]),
        ("validation.png", "predicted vs published for every reference case, one panel per suite",
            ["validate", "--plot", "{0}"]),
    ];

    public static Command Create()
    {
        var outDir = new Option<string>("--out") { Description = "Folder for the pictures", DefaultValueFactory = _ => "plots" };
        var cmd = new Command("plots", "Regenerate the gallery: one picture of each kind for named, realistic cases") { outDir };
        cmd.SetAction(r =>
        {
            string dir = r.GetValue(outDir)!;
            try { Directory.CreateDirectory(dir); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UserInputException($"--out '{dir}': cannot create the folder: {e.Message}");
            }
            var o = r.InvocationConfiguration.Output;
            var total = Stopwatch.StartNew();
            foreach (var (file, what, args) in Gallery)
            {
                string path = Path.Combine(dir, file);
                var sw = Stopwatch.StartNew();
                var err = new StringWriter();
                int code = App.Run(args.Select(a => a == "{0}" ? path : a).ToArray(), TextWriter.Null, err);
                // validate exits 1 when a case is outside its tolerance; the picture is still drawn
                if (code is not (0 or 1) || !File.Exists(path))
                    throw new UserInputException($"could not draw {file}: {err.ToString().Trim()}");
                o.WriteLine($"{path}  ({sw.Elapsed.TotalSeconds:F1} s)  {what}");
            }
            o.WriteLine($"{Gallery.Count} pictures in {total.Elapsed.TotalSeconds:F1} s");
            return 0;
        });
        return cmd;
    }
}
