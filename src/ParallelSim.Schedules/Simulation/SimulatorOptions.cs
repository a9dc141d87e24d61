namespace ParallelSim.Schedules.Simulation;

/// <summary>
/// How point-to-point transfers interact with compute. Overlapped: a transfer only delays the receiver
/// (the data arrives SendToNext after the producing action ends). Not overlapped: the sender is also busy
/// for the transfer before its next action (blocking send, as Megatron without --overlap-p2p-communication).
/// </summary>
public sealed record SimulatorOptions(bool OverlapCommunication = false)
{
    public static SimulatorOptions Default { get; } = new();
}
