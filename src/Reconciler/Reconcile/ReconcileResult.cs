namespace Coordinator.Reconciler.Reconcile;

/// <summary>
/// The outcome of one reconcile (controller-runtime's reconcile.Result). <see cref="Done"/> waits for the next
/// change or resync; <see cref="RequeueAfter(TimeSpan)"/> comes back after a delay to look at the outside world
/// again (Slurm, S3), without counting as an error. Errors are thrown instead: an ordinary exception backs off
/// and retries, a <see cref="TerminalReconcileException"/> does not.
/// </summary>
public readonly record struct ReconcileResult(TimeSpan? After)
{
    public static ReconcileResult Done { get; } = new(null);

    public static ReconcileResult RequeueAfter(TimeSpan delay) => new(delay);
}
