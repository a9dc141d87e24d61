using System.Globalization;
using System.Text.RegularExpressions;

namespace ParallelSim.Schedules;

/// <summary>
/// What a rank does in one step of a schedule. F forward, B full backward, I and W the backward for
/// inputs and for weights (zero-bubble schedules split B into these); the send and receive kinds are
/// added by <see cref="Passes.CommunicationPass"/> (torch.distributed.pipelining's SEND_F, RECV_F, SEND_B, RECV_B).
/// </summary>
public enum ActionKind { Forward, FullBackward, BackwardInput, BackwardWeight, SendActivation, RecvActivation, SendGradient, RecvGradient }

/// <summary>
/// One action of a pipeline schedule: (stage, kind, micro-batch). Prints and parses as compact text:
/// "2F0" is stage 2's forward of micro-batch 0, "3B5" stage 3's backward of micro-batch 5, "1SEND_F4".
/// </summary>
public readonly partial record struct PipelineAction(int Stage, ActionKind Kind, int MicroBatch)
{
    private static readonly (ActionKind Kind, string Code)[] Codes =
    [
        (ActionKind.Forward, "F"), (ActionKind.FullBackward, "B"), (ActionKind.BackwardInput, "I"), (ActionKind.BackwardWeight, "W"),
        (ActionKind.SendActivation, "SEND_F"), (ActionKind.RecvActivation, "RECV_F"),
        (ActionKind.SendGradient, "SEND_B"), (ActionKind.RecvGradient, "RECV_B"),
    ];

    public static string Code(ActionKind kind) => Codes.First(c => c.Kind == kind).Code;

    /// <summary>Forward, backward or their split parts: the actions that take compute time.</summary>
    public bool IsCompute => Kind is ActionKind.Forward or ActionKind.FullBackward or ActionKind.BackwardInput or ActionKind.BackwardWeight;

    /// <summary>The backward that frees this micro-batch's activations and unblocks the previous stage: B or I.</summary>
    public bool IsInputBackward => Kind is ActionKind.FullBackward or ActionKind.BackwardInput;

    public override string ToString() =>
        Stage.ToString(CultureInfo.InvariantCulture) + Code(Kind) + MicroBatch.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*(\d+)\s*(F|B|I|W|SEND_F|RECV_F|SEND_B|RECV_B)\s*(\d+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out PipelineAction action)
    {
        action = default;
        var match = Pattern().Match(text);
        if (!match.Success) return false;
        if (!int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int stage)) return false;
        if (!int.TryParse(match.Groups[3].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int mb)) return false;
        action = new PipelineAction(stage, Codes.First(c => c.Code == match.Groups[2].Value).Kind, mb);
        return true;
    }

    /// <summary>Parses "2F0"; throws <see cref="FormatException"/> naming the text and the valid form.</summary>
    public static PipelineAction Parse(string text) =>
        TryParse(text, out var a) ? a
        : throw new FormatException($"'{text}' is not a pipeline action (expected stage, kind, micro-batch, e.g. 2F0, 3B5, 1I2, 1W2, 0SEND_F3)");
}
