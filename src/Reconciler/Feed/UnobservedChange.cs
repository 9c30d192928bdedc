using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Retry;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Reconcile;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// What a finished job's item says a user changed since the daemon's last pass (pure), judged from the item alone:
/// the relist at the start of each term and at every resync takes finished jobs for which this is not null, so a
/// change made while no daemon followed the stream (a failover, a restart, an upgrade, a trimmed stream) is acted on.
/// The comparisons are those the pass itself makes: the spec's identity hash against the stored specHash (a new
/// generation), spec.retryGeneration against the Redriven condition (a redrive), the CLI's reconcileRequestedAt stamp
/// against the one the daemon last observed (a cancel), and the expiry the spec's ttlAfterFinished gives against the
/// stored status.expiresAt (a TTL edit, or an item written before expiresAt existed).
/// </summary>
public static class UnobservedChange
{
    /// <summary>Null when the job is not finished or nothing changed, else which change (for the log).</summary>
    public static string? Of(Job job)
    {
        if (!PhaseTransitions.IsTerminal(job.Status.Phase))
        {
            return null;
        }
        if (job.Generation == 0 || !string.Equals(GenerationPolicy.IdentityHash(job), job.SpecHash, StringComparison.Ordinal))
        {
            return "spec";
        }
        if (Redrive.IsRequested(job))
        {
            return "retryGeneration";
        }
        if (!string.Equals(job.ReconcileRequestedAt, job.Status.ObservedReconcileRequest, StringComparison.Ordinal))
        {
            return "reconcileRequestedAt";
        }
        if (Expiry.Of(job) != job.Status.ExpiresAt)
        {
            return "ttlAfterFinished";
        }
        return null;
    }
}
