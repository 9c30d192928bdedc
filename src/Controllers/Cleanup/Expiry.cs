using Coordinator.Model.Spec;
using Coordinator.Model.Status;

namespace Coordinator.Controllers.Cleanup;

/// <summary>
/// When a finished job is due for deletion under spec.ttlAfterFinished (pure): completedAt + ttl for a Succeeded,
/// Failed or Cancelled job that has both, else null. The reconciler writes it on the job as <c>status.expiresAt</c>
/// with the status write that makes the job terminal (and rewrites it when the live-editable TTL changes), so the
/// daemon's periodic sweep (<c>IStateStore.ListExpiredJobNamesAsync</c>) finds due jobs after any restart or
/// failover; the in-memory RequeueAfter stays the fast path.
/// </summary>
public static class Expiry
{
    public static DateTimeOffset? Of(Job job) =>
        PhaseTransitions.IsTerminal(job.Status.Phase) && job.Spec.TtlAfterFinished is { } ttl && job.Status.CompletedAt is { } done
            ? done + ttl
            : null;
}
