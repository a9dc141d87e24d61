using System.Text.Json;
using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;
using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Readers;

/// <summary>Turns ParallelSim's own JSON (configs/) into specs, strictly.</summary>
internal static class SpecReaders
{
    public static GpuSpec ReadGpu(JsonElement e, string where)
    {
        var j = JsonFields.Of(e, where);
        string name = j.String("name");
        double bf16 = j.Number("peakBf16Tflops", min: 1e-6);
        double? fp8 = j.Has("peakFp8Tflops") ? j.Number("peakFp8Tflops", min: 1e-6) : null;
        double mem = j.Number("memoryGiB", min: 1e-6);
        double hbm = j.Number("hbmGBps", min: 1e-6);
        string linkName = j.String("intraNodeLink");
        double linkBw = j.Number("intraNodeGBpsPerDirection", min: 1e-6);
        // the bus bandwidth NCCL measures on the link, as a fraction of its datasheet rate (1 where nothing was measured)
        double linkEff = j.Number("intraNodeBusEfficiency", 1.0, min: 1e-3);
        if (linkEff > 1) j.Problems.Add($"{where}: intraNodeBusEfficiency ({linkEff}) must be at most 1");
        j.String("intraNodeBusEfficiencySource", "");
        string node = j.String("defaultNode");
        var eff = j.Object("gemmEfficiency");
        EfficiencyCurve curve = new(0.7, 1e10, new Source("default"));
        if (eff is null) j.Problems.Add($"{where}: \"gemmEfficiency\" object with max, halfGflop and source is required");
        else
        {
            curve = new EfficiencyCurve(eff.Number("max", min: 1e-3), eff.Number("halfGflop", min: 0) * 1e9, new Source(eff.String("source")));
            if (curve.Max > 1) eff.Problems.Add($"{where}: gemmEfficiency max ({curve.Max}) must be at most 1");
            eff.RejectUnknown(); j.Problems.AddRange(eff.Problems);
        }
        EfficiencyCurve? Optional(string key)
        {
            var o = j.Object(key);
            if (o is null) return null;
            var k = new EfficiencyCurve(o.Number("max", min: 1e-3), o.Number("halfGflop", min: 0) * 1e9, new Source(o.String("source")));
            if (k.Max > 1) o.Problems.Add($"{where}: {key} max ({k.Max}) must be at most 1");
            o.RejectUnknown(); j.Problems.AddRange(o.Problems);
            return k;
        }
        var attention = Optional("attentionEfficiency");
        var attentionBackward = Optional("attentionBackwardEfficiency");
        double hbmEff = j.Number("hbmEfficiency", 1.0, min: 1e-3);
        if (hbmEff > 1) j.Problems.Add($"{where}: hbmEfficiency ({hbmEff}) must be at most 1");
        j.String("hbmEfficiencySource", "");
        string generation = j.String("generation", "unknown");
        string measuredOn = j.String("curvesMeasuredOn", generation);
        int sms = j.Int("sms", 0, min: 0);
        double clock = j.Number("boostClockGHz", 0, min: 0);
        j.String("smSource", "");
        double overhead = j.Number("kernelOverheadMicroseconds", 0, min: 0);
        j.String("kernelOverheadSource", "");
        string source = j.String("source");
        if (!Enum.TryParse<LinkKind>(linkName, ignoreCase: true, out var link) || link == LinkKind.Network)
            j.Problems.Add($"{where}: intraNodeLink \"{linkName}\" must be NVLink or PCIe");
        j.RejectUnknown(); j.ThrowIfProblems();
        return new GpuSpec(name, FlopsPerSecond.FromTflops(bf16), fp8 is null ? null : FlopsPerSecond.FromTflops(fp8.Value),
            Bytes.FromGiB(mem), BytesPerSecond.FromGBps(hbm), link, BytesPerSecond.FromGBps(linkBw * linkEff), node, curve,
            Seconds.FromMicroseconds(overhead), new Source(source)) { AttentionEfficiency = attention, AttentionBackwardEfficiency = attentionBackward, HbmEfficiency = hbmEff, Generation = generation, CurvesMeasuredOn = measuredOn, Sms = sms, BoostClockGHz = clock };
    }

    public static NodeSpec ReadNode(JsonElement e, string where, Func<string, GpuSpec> gpuByName)
    {
        var j = JsonFields.Of(e, where);
        string name = j.String("name");
        string gpuName = j.String("gpu");
        int perNode = j.Int("gpusPerNode");
        double intraLat = j.Number("intraNodeLatencyMicroseconds", min: 0);
        double nic = j.Number("interNodeGbitpsPerGpu", min: 1e-6);
        double interLat = j.Number("interNodeLatencyMicroseconds", min: 0);
        string source = j.String("source");
        string latSource = j.String("latencySource", "");
        j.RejectUnknown(); j.ThrowIfProblems();
        var gpu = gpuByName(gpuName);
        var intra = new LinkSpec(gpu.IntraNodeLink, gpu.IntraNodeBandwidthPerDirection, Seconds.FromMicroseconds(intraLat), gpu.Source);
        var inter = new LinkSpec(LinkKind.Network, BytesPerSecond.FromGbitps(nic), Seconds.FromMicroseconds(interLat), new Source(source, latSource));
        return new NodeSpec(name, gpu, perNode, intra, inter, new Source(source));
    }

    public static ModelSpec ReadModel(JsonElement e, string where)
    {
        var j = JsonFields.Of(e, where);
        string name = j.String("name");
        string arch = j.String("arch");
        int layers = j.Int("layers"), hidden = j.Int("hidden"), heads = j.Int("heads");
        int kv = j.Int("kvHeads", heads), ffn = j.Int("ffnHidden"), vocab = j.Int("vocab"), seq = j.Int("seqLength");
        bool tied = j.Bool("tiedEmbeddings");
        string source = j.String("source", "user file");
        if (!ScheduleNames.Arch.TryGetValue(arch, out var a))
            j.Problems.Add($"{where}: arch \"{arch}\" is not known (valid: {string.Join(", ", ScheduleNames.Arch.Keys)})");
        j.RejectUnknown(); j.ThrowIfProblems();
        return new ModelSpec(name, a, layers, hidden, heads, kv, ffn, vocab, seq, tied, new Source(source));
    }
}
