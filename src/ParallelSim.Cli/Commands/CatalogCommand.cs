using System.CommandLine;
using ParallelSim.Readers;
using ParallelSim.Cli.Output;
using static ParallelSim.Cli.Output.Fmt;

namespace ParallelSim.Cli.Commands;

/// <summary>`parallelsim catalog gpus|clusters|models|stacks`: what ships in configs/, with the key numbers.</summary>
public static class CatalogCommand
{
    public static Command Create()
    {
        var format = CommonOptions.Format();
        var kind = new Argument<string>("kind") { Description = "gpus|clusters|models|stacks" };
        kind.AcceptOnlyFromAmong("gpus", "clusters", "models", "stacks");
        var cmd = new Command("catalog", "List the GPUs, node types, models or software stacks in the catalog") { kind, format };
        cmd.SetAction(r =>
        {
            var fmt = CommonOptions.ParseFormat(r.GetValue(format)!);
            var table = r.GetValue(kind) switch
            {
                "gpus" => Gpus(Catalog.Default),
                "clusters" => Clusters(Catalog.Default),
                "stacks" => Stacks(Catalog.Default),
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
            "name", "bf16 TFLOP/s", "fp8 TFLOP/s", "memory GiB", "HBM GB/s", "intra-node link", "link GB/s (NCCL bus)", "GEMM eff. max", "curves measured on", "default node");
        foreach (var i in new[] { 1, 2, 3, 4, 6, 7 }) t.RightAligned.Add(i);
        foreach (var g in c.Gpus.Values.OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase))
            t.Add(g.Name, F(g.PeakBf16.Tflops, 1), g.PeakFp8 is { } f8 ? F(f8.Tflops, 1) : "-", F(g.Memory.GiB, 1), F(g.HbmBandwidth.GBps, 0),
                g.IntraNodeLink.ToString(), F(g.IntraNodeBandwidthPerDirection.GBps, 2), F(g.GemmEfficiency.Max, 3), g.CurvesMeasuredOn, g.DefaultNode);
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

    public static TextTable Stacks(Catalog c)
    {
        var t = new TextTable("Software stacks (configs/stacks; every number's source in its file)",
            "name", "framework", "attention", "precision", "dtype", "overlap", "dropout", "NIC eff.", "DP rings", "ZeRO", "schedules", "recompute");
        t.RightAligned.Add(7);
        foreach (var s in c.Stacks.Values.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase))
            t.Add(s.Name, Core.Stack.StackNames.Name(s.Framework), Core.Stack.StackNames.Name(s.Attention), Core.Parallelism.ScheduleNames.Name(s.Precision),
                Core.Stack.StackNames.Name(s.Dtype), s.Overlap ? "yes" : "no", s.Dropout ? "yes" : "no", F(s.NicEfficiency, 2),
                s.DataParallelRing.ToString().ToLowerInvariant(), s.ZeroStages is { } z ? string.Join(",", z.Select(x => (int)x)) : "any",
                s.Schedules is { } sc ? string.Join(",", sc.Select(Core.Parallelism.ScheduleNames.Name)) : "any",
                s.RecomputeModes is { } rm ? string.Join(",", rm.Select(Core.Parallelism.ScheduleNames.Name)) : "any");
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
