using System.CommandLine;
using ParallelSim.Cli.Loading;
using ParallelSim.Cli.Output;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Commands;

/// <summary>`parallelsim catalog gpus|clusters|models`: what ships in configs/, with the key numbers.</summary>
public static class CatalogCommand
{
    public static Command Create()
    {
        var format = CommonOptions.Format();
        var kind = new Argument<string>("kind") { Description = "gpus|clusters|models" };
        kind.AcceptOnlyFromAmong("gpus", "clusters", "models");
        var cmd = new Command("catalog", "List the GPUs, node types or models in the catalog") { kind, format };
        cmd.SetAction(r =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            var table = r.GetValue(kind) switch
            {
                "gpus" => Gpus(Catalog.Default),
                "clusters" => Clusters(Catalog.Default),
                _ => Models(Catalog.Default),
            };
            r.InvocationConfiguration.Output.Write(table.Render(fmt == OutputFormat.Json ? OutputFormat.Csv : fmt));
            return 0;
        });
        return cmd;
    }

    public static TextTable Gpus(Catalog c)
    {
        var t = new TextTable("GPUs (dense peaks; memory in GiB; bandwidth in decimal GB/s)",
            "name", "bf16 TFLOP/s", "fp8 TFLOP/s", "memory GiB", "HBM GB/s", "intra-node link", "link GB/s per direction", "GEMM eff. max", "default node");
        foreach (var i in new[] { 1, 2, 3, 4, 6, 7 }) t.RightAligned.Add(i);
        foreach (var g in c.Gpus.Values.OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase))
            t.Add(g.Name, F(g.PeakBf16.Tflops, 1), g.PeakFp8 is { } f8 ? F(f8.Tflops, 1) : "-", F(g.Memory.GiB, 1), F(g.HbmBandwidth.GBps, 0),
                g.IntraNodeLink.ToString(), F(g.IntraNodeBandwidthPerDirection.GBps, 2), F(g.GemmEfficiency.Max, 3), g.DefaultNode);
        return t;
    }

    public static TextTable Clusters(Catalog c)
    {
        var t = new TextTable("Node types (bandwidth in decimal GB/s per GPU per direction)",
            "name", "gpu", "gpus/node", "intra-node", "intra GB/s", "inter-node GB/s per GPU", "inter latency us");
        foreach (var i in new[] { 2, 4, 5, 6 }) t.RightAligned.Add(i);
        foreach (var n in c.Nodes.Values.OrderBy(n => n.Name, StringComparer.OrdinalIgnoreCase))
            t.Add(n.Name, n.Gpu.Name, n.GpusPerNode.ToString(), n.IntraNode.Kind.ToString(), F(n.IntraNode.Bandwidth.GBps, 2),
                F(n.InterNode.Bandwidth.GBps, 2), F(n.InterNode.Latency.Value * 1e6, 1));
        return t;
    }

    public static TextTable Models(Catalog c)
    {
        var t = new TextTable("Models (parameters computed from the shape)",
            "name", "arch", "parameters", "layers", "hidden", "heads", "kv heads", "ffn", "vocab", "seq", "tied");
        foreach (var i in Enumerable.Range(2, 8)) t.RightAligned.Add(i);
        foreach (var m in c.Models.Values.OrderBy(m => m.Parameters))
            t.Add(m.Name, Core.Parallelism.ScheduleNames.Name(m.Arch), N(m.Parameters), m.Layers.ToString(), m.Hidden.ToString(), m.Heads.ToString(),
                m.KvHeads.ToString(), m.FfnHidden.ToString(), m.Vocab.ToString(), m.SeqLength.ToString(), m.TiedEmbeddings ? "yes" : "no");
        return t;
    }
}
