using ParallelSim.Core.Simulation;
using ParallelSim.Core.Stack;
using ParallelSim.Core.Validation;

namespace ParallelSim.Cli.Commands;

/// <summary>The evaluator `validate` hands to <see cref="ReferenceCheck"/>: each case on the pipeline its inputs name.</summary>
public static class ReferenceEvaluation
{
    public static SimulationResult Evaluate(ReferenceInputs i)
    {
        var model = i.Model ?? throw new ArgumentException("a reference case to evaluate needs a model");
        var cluster = i.Cluster ?? throw new ArgumentException("a reference case to evaluate needs a cluster");
        return i.Pipeline switch
        {
            ReferencePipeline.ClosedForm => Evaluator.Evaluate(model, cluster, i.Plan, i.Options),
            ReferencePipeline.EventSimulation => SimulatedEvaluation.Evaluate(model, cluster, i.Plan, i.Options),
            _ => throw new ArgumentOutOfRangeException(nameof(i)),
        };
    }

    /// <summary>Every case of a suite, predicted and compared.</summary>
    public static SuiteOutcome Run(ReferenceSuite suite) => ReferenceCheck.Run(suite, Evaluate);

    /// <summary>One case's prediction.</summary>
    public static double Predict(ReferenceCase c) => ReferenceCheck.Predict(c, Evaluate);

    /// <summary>One case's prediction on another stack, its plan and other options unchanged (the predictor of `calibrate stack`).</summary>
    public static double Predict(ReferenceCase c, StackSpec stack) =>
        Predict(c with { Inputs = c.Inputs with { Options = c.Inputs.Options with { Stack = stack } } });
}
