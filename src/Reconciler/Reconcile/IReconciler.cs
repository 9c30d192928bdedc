namespace Coordinator.Reconciler.Reconcile;

/// <summary>
/// Moves one job one step toward its spec. Level-triggered and idempotent: it reads the current state itself and
/// must be harmless to run twice. The work queue guarantees it never runs twice at once for the same key.
/// </summary>
public interface IReconciler
{
    Task<ReconcileResult> ReconcileAsync(JobKey key, CancellationToken ct);

    /// <summary>Called once when a leadership term starts, before its first pass.</summary>
    void BeginTerm()
    {
    }
}
