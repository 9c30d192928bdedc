namespace Coordinator.Controllers.Pipeline;

/// <summary>
/// What a controller asks of the reconciler, like controller-runtime's Result: go on to the next controller,
/// stop this pass (optionally coming back after a delay to wait on the outside world).
/// Transient errors are thrown (the queue backs off per key); permanent ones become conditions on the job.
/// </summary>
public readonly record struct ControllerResult(bool ContinuePipeline, TimeSpan? RequeueAfter)
{
    /// <summary>This controller's work is done for now; run the next one.</summary>
    public static ControllerResult Continue { get; } = new(true, null);

    /// <summary>Stop this pass; the next event (or resync) wakes the job again.</summary>
    public static ControllerResult Stop { get; } = new(false, null);

    /// <summary>Stop this pass and reconcile again after <paramref name="delay"/>.</summary>
    public static ControllerResult StopAndRequeueAfter(TimeSpan delay) => new(false, delay);

    /// <summary>Run the next controller, and also reconcile again after <paramref name="delay"/>.</summary>
    public static ControllerResult ContinueAndRequeueAfter(TimeSpan delay) => new(true, delay);
}
