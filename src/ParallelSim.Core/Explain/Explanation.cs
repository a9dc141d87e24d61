namespace ParallelSim.Core.Explain;

/// <summary>
/// One line of a worked answer: what is computed, the formula with the values substituted, the result
/// and its unit, and where the formula comes from. <see cref="Value"/> is null for a note without a number.
/// </summary>
public sealed record ExplainStep(string Text, string Formula, double? Value, string Unit, string Source);

/// <summary>The number a topic answers with, its unit, and the answer in words.</summary>
public sealed record ExplainAnswer(double Value, string Unit, string Text);

/// <summary>A worked answer: the steps, in order, and the answer they lead to.</summary>
public sealed record Explanation(string Topic, IReadOnlyList<ExplainStep> Steps, ExplainAnswer Answer);
