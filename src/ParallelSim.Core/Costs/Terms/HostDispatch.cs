using ParallelSim.Core.Parallelism;
using ParallelSim.Core.Units;

namespace ParallelSim.Core.Costs.Terms;

/// <summary>
/// The host's floor under a pass: eager PyTorch launches kernels one by one, so a pass cannot run faster than its launches
/// (launch time per kernel and the checkpoint hooks' time per layer calibrated by `calibrate host` on the H200 runs).
/// </summary>
public static class HostDispatch
{
    /// <summary>The forward and backward floors of a stage's layers; backward launches about twice the forward's kernels, plus the forward again under full recompute.</summary>
    public static (Seconds Forward, Seconds Backward) Floors(int layers, int kernelsForward, RecomputeMode recompute, CostOptions o)
    {
        var launchFwd = o.HostDispatchPerKernel * ((double)layers * kernelsForward);
        var launchBwd = launchFwd * (recompute == RecomputeMode.Full ? 3 : 2)
            + (recompute == RecomputeMode.Full ? layers * o.CheckpointHostPerLayer : Seconds.Zero);
        return (launchFwd, launchBwd);
    }
}
