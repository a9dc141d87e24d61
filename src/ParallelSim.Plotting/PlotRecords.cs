namespace ParallelSim.Plotting;

/// <summary>What a box on a pipeline timeline stands for.</summary>
public enum BoxKind { Forward, Backward, BackwardInput, BackwardWeight, Send, Receive }

/// <summary>One timed action on one rank, in milliseconds from the start of the step.</summary>
public sealed record TimelineBox(int Rank, double StartMs, double EndMs, BoxKind Kind, string Label);

/// <summary>One schedule's timeline: a panel of rows, one per rank.</summary>
public sealed record TimelinePanel(string Title, int Ranks, IReadOnlyList<TimelineBox> Boxes);

/// <summary>Bubble fraction against micro-batch count for one schedule.</summary>
public sealed record BubbleSeries(string Schedule, IReadOnlyList<int> MicroBatches, IReadOnlyList<double> BubbleFractions);

/// <summary>Memory of one pipeline stage on one GPU, by part, in GiB.</summary>
public sealed record MemoryBar(string Label, double WeightsGiB, double GradientsGiB, double OptimizerGiB, double ActivationsGiB, double OtherGiB)
{
    public double TotalGiB => WeightsGiB + GradientsGiB + OptimizerGiB + ActivationsGiB + OtherGiB;
}

/// <summary>
/// One (tp, pp) cell of a sweep: the objective of the best plan there, or why none was possible
/// (Status "oom" or "invalid").
/// </summary>
public sealed record HeatmapCell(int Tp, int Pp, double? Value, string Status);

/// <summary>A point of the GPUs-vs-time-to-train Pareto plot.</summary>
public sealed record ParetoPoint(int Gpus, double DaysToTrain, string Label, bool OnFront);

/// <summary>One validation case: published against predicted (in the suite's display unit), and its tolerance.</summary>
public sealed record ValidationPoint(string Suite, string Case, double Published, double Predicted, double TolerancePct, string Unit);
