using ParallelSim.Core.Hardware;
using ParallelSim.Core.Models;

namespace ParallelSim.Core.Parallelism;

public enum Severity { Error, Warning }

/// <summary>One problem with a plan, naming the values involved.</summary>
public sealed record PlanIssue(Severity Severity, string Message)
{
    public override string ToString() => $"{(Severity == Severity.Error ? "error" : "warning")}: {Message}";
}

/// <summary>Checks a plan against a model and a cluster and returns every problem at once.</summary>
public static class PlanValidator
{
    public static IReadOnlyList<PlanIssue> Validate(ModelSpec model, ClusterSpec cluster, ParallelPlan plan)
    {
        var issues = new List<PlanIssue>();
        void Error(string m) => issues.Add(new PlanIssue(Severity.Error, m));

        Positive(issues, ("tp", plan.Tp), ("pp", plan.Pp), ("dp", plan.Dp), ("cp", plan.Cp), ("vpp", plan.Vpp),
            ("micro-batch", plan.MicroBatch), ("global-batch", plan.GlobalBatch));
        Positive(issues, ("layers", model.Layers), ("hidden", model.Hidden), ("heads", model.Heads),
            ("kv-heads", model.KvHeads), ("ffn-hidden", model.FfnHidden), ("vocab", model.Vocab),
            ("seq-length", model.SeqLength), ("gpus", cluster.Gpus), ("gpus-per-node", cluster.GpusPerNode));
        if (issues.Count > 0) return issues; // the divisibility rules below need positive values

        if (model.Hidden % model.Heads != 0)
            Error($"hidden ({model.Hidden}) must be divisible by heads ({model.Heads})");
        if (model.Heads % model.KvHeads != 0)
            Error($"heads ({model.Heads}) must be divisible by kv-heads ({model.KvHeads})");
        if (model.Heads % plan.Tp != 0)
            Error($"heads ({model.Heads}) must be divisible by tp ({plan.Tp})");
        if (model.KvHeads % plan.Tp != 0 && plan.Tp % model.KvHeads != 0)
            Error($"kv-heads ({model.KvHeads}) must be divisible by tp ({plan.Tp}) (or tp by kv-heads, replicating K and V)");
        if (model.FfnHidden % plan.Tp != 0)
            Error($"ffn-hidden ({model.FfnHidden}) must be divisible by tp ({plan.Tp})");
        foreach (var problem in StageLayers.Problems(model.Layers, plan.Pp, plan.Vpp, plan.Split)) Error(problem);
        if (plan.GlobalBatch % ((long)plan.MicroBatch * plan.Dp) != 0)
            Error($"global-batch ({plan.GlobalBatch}) must be divisible by micro-batch x dp ({plan.MicroBatch} x {plan.Dp} = {(long)plan.MicroBatch * plan.Dp})");
        if (plan.Gpus != cluster.Gpus)
            Error($"tp x pp x dp x cp ({plan.Tp} x {plan.Pp} x {plan.Dp} x {plan.Cp} = {plan.Gpus}) must equal the GPU count ({cluster.Gpus})");
        if (plan.Vpp > 1 && plan.Schedule is not (ScheduleKind.Interleaved or ScheduleKind.DualPipeV))
            Error($"vpp ({plan.Vpp}) > 1 needs the interleaved schedule, or dualpipev with vpp 2 (got {ScheduleNames.Name(plan.Schedule)})");
        // DualPipeV: two chunks per rank in a V (stages r and 2pp - 1 - r), and its main step runs m - 2pp + r + 1 times
        if (plan.Schedule == ScheduleKind.DualPipeV && plan.Vpp != 2)
            Error($"the dualpipev schedule needs vpp 2 (two chunks per rank: stages r and 2 x pp - 1 - r); got vpp {plan.Vpp}");
        // the V pairs stage r with stage 2pp - 1 - r on one rank; an uneven first/last split is not defined for that placement here
        if (plan.Schedule == ScheduleKind.DualPipeV && plan.Split is { IsEven: false })
            Error("the dualpipev schedule takes an even layer split only (drop --first-stage-layers, --last-stage-layers, --embedding-as-layer, --loss-as-layer)");
        if (plan.Schedule == ScheduleKind.DualPipeV && plan.MicroBatches < 2L * plan.Pp && plan.GlobalBatch % ((long)plan.MicroBatch * plan.Dp) == 0)
            Error($"the dualpipev schedule needs at least 2 x pp micro-batches (pp {plan.Pp}: {2L * plan.Pp} or more; got {plan.MicroBatches} = global-batch / (micro-batch x dp))");
        if (plan.Schedule == ScheduleKind.Interleaved && plan.MicroBatches % plan.Pp != 0 && plan.GlobalBatch % ((long)plan.MicroBatch * plan.Dp) == 0)
            Error($"the interleaved schedule needs micro-batches ({plan.MicroBatches}) to be a multiple of pp ({plan.Pp})");
        if (plan.Cp > 1 && model.SeqLength % (2 * plan.Cp) != 0)
            Error($"seq-length ({model.SeqLength}) must be divisible by 2 x cp ({2 * plan.Cp}) for load-balanced context parallelism");
        if (plan.SequenceParallel && model.SeqLength % plan.Tp != 0)
            Error($"seq-length ({model.SeqLength}) must be divisible by tp ({plan.Tp}) with sequence parallelism");
        AddWarnings(issues, cluster, plan);
        return issues;
    }

    /// <summary>Only the warnings of <see cref="Validate"/> (for a plan already known to be valid); allocates nothing when there are none.</summary>
    public static IReadOnlyList<PlanIssue> Warnings(ModelSpec model, ClusterSpec cluster, ParallelPlan plan)
    {
        if (!(plan.SequenceParallel && plan.Tp == 1) && plan.Tp <= cluster.GpusPerNode && !(plan.Zero >= ZeroStage.Gradients && plan.Pp > 1))
            return [];
        var issues = new List<PlanIssue>();
        AddWarnings(issues, cluster, plan);
        return issues;
    }

    private static void AddWarnings(List<PlanIssue> issues, ClusterSpec cluster, ParallelPlan plan)
    {
        void Warn(string m) => issues.Add(new PlanIssue(Severity.Warning, m));
        if (plan.SequenceParallel && plan.Tp == 1)
            Warn("sequence-parallel has no effect with tp 1");
        if (plan.Tp > cluster.GpusPerNode)
            Warn($"tp ({plan.Tp}) is larger than the GPUs of a node ({cluster.GpusPerNode}): tensor-parallel traffic crosses the network and is slow");
        if (plan.Zero >= ZeroStage.Gradients && plan.Pp > 1)
            Warn($"ZeRO stage {(int)plan.Zero} with pipeline parallelism (pp {plan.Pp}) re-shards gradients every micro-batch; Megatron and DeepSpeed do not support it");
    }

    private static void Positive(List<PlanIssue> issues, params (string Name, long Value)[] values)
    {
        foreach (var (name, value) in values)
            if (value < 1) issues.Add(new PlanIssue(Severity.Error, $"{name} must be at least 1 (got {value})"));
    }
}

/// <summary>The user-facing names of the enums, one place.</summary>
public static class ScheduleNames
{
    public static readonly IReadOnlyDictionary<string, ScheduleKind> Schedules = new Dictionary<string, ScheduleKind>(StringComparer.OrdinalIgnoreCase)
    {
        ["gpipe"] = ScheduleKind.GPipe, ["1f1b"] = ScheduleKind.OneFOneB, ["interleaved"] = ScheduleKind.Interleaved,
        ["zb-h1"] = ScheduleKind.ZeroBubbleH1, ["zb-h2"] = ScheduleKind.ZeroBubbleH2, ["dualpipev"] = ScheduleKind.DualPipeV,
    };
    public static readonly IReadOnlyDictionary<string, RecomputeMode> Recompute = new Dictionary<string, RecomputeMode>(StringComparer.OrdinalIgnoreCase)
    {
        ["none"] = RecomputeMode.None, ["selective"] = RecomputeMode.Selective, ["full"] = RecomputeMode.Full,
    };
    public static readonly IReadOnlyDictionary<string, PrecisionPolicy> Precision = new Dictionary<string, PrecisionPolicy>(StringComparer.OrdinalIgnoreCase)
    {
        ["megatron"] = PrecisionPolicy.Megatron, ["zero"] = PrecisionPolicy.Zero, ["torch-amp"] = PrecisionPolicy.TorchAmp, ["bf16"] = PrecisionPolicy.Bf16,
    };
    public static readonly IReadOnlyDictionary<string, Models.Architecture> Arch = new Dictionary<string, Models.Architecture>(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt"] = Models.Architecture.Gpt, ["llama"] = Models.Architecture.Llama, ["mpt"] = Models.Architecture.Mpt, ["bloom"] = Models.Architecture.Bloom,
    };

    public static string Name(ScheduleKind s) => Schedules.First(kv => kv.Value == s).Key;
    public static string Name(RecomputeMode r) => Recompute.First(kv => kv.Value == r).Key;
    public static string Name(PrecisionPolicy p) => Precision.First(kv => kv.Value == p).Key;
    public static string Name(Models.Architecture a) => Arch.First(kv => kv.Value == a).Key;
}
