using ParallelSim.Core.Hardware;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs;

/// <summary>
/// Alpha-beta costs of ring collectives over k ranks on a link tier (Thakur, Rabenseifner and Gropp 2005;
/// NCCL's bus-bandwidth factors): all-reduce moves 2(k-1)/k of the buffer, reduce-scatter and
/// all-gather (k-1)/k, each in k-1 (or 2(k-1)) latency steps.
/// </summary>
public static class Collectives
{
    public static Seconds AllReduce(Bytes buffer, int ranks, LinkSpec link) =>
        ranks <= 1 ? Seconds.Zero
        : link.Latency * (2.0 * (ranks - 1)) + buffer * (2.0 * (ranks - 1) / ranks) / link.Bandwidth;

    public static Seconds ReduceScatter(Bytes buffer, int ranks, LinkSpec link) =>
        ranks <= 1 ? Seconds.Zero
        : link.Latency * (ranks - 1.0) + buffer * ((ranks - 1.0) / ranks) / link.Bandwidth;

    public static Seconds AllGather(Bytes buffer, int ranks, LinkSpec link) => ReduceScatter(buffer, ranks, link);

    /// <summary>
    /// Hierarchical all-reduce when a group spans nodes: reduce-scatter inside each node, all-reduce of
    /// the 1/g shard across nodes on every GPU's own NIC in parallel, all-gather inside the node.
    /// </summary>
    public static Seconds HierarchicalAllReduce(Bytes buffer, int ranksPerNode, int nodes, LinkSpec intra, LinkSpec inter) =>
        nodes <= 1 ? AllReduce(buffer, ranksPerNode, intra)
        : ReduceScatter(buffer, ranksPerNode, intra) + AllReduce(buffer / ranksPerNode, nodes, inter) + AllGather(buffer, ranksPerNode, intra);

    /// <summary>Hierarchical reduce-scatter (ZeRO gradient sharding): the first two phases of the above.</summary>
    public static Seconds HierarchicalReduceScatter(Bytes buffer, int ranksPerNode, int nodes, LinkSpec intra, LinkSpec inter) =>
        nodes <= 1 ? ReduceScatter(buffer, ranksPerNode, intra)
        : ReduceScatter(buffer, ranksPerNode, intra) + ReduceScatter(buffer / ranksPerNode, nodes, inter);
}
