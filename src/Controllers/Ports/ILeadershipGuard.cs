using Coordinator.Model.Errors;

namespace Coordinator.Controllers.Ports;

/// <summary>
/// Whether this process may act as the leader now, and under which lease term. The daemon's guard is fed by its leader
/// elector (Reconciler/LeaderElection/LeaseGuard); a process that never leads (CLI, worker) uses <see cref="Unfenced"/>.
/// <para>
/// <see cref="Term"/> is stamped on every job-item write the daemon makes, and every such write is conditional on the
/// item's recorded term not being newer, so a write of a deposed leader fails as a conflict even at the version it read.
/// <see cref="MayActNow"/> is asked right before every side effect outside DynamoDB (sbatch, scancel, scontrol, deletes):
/// true only while the lease is held with more than a safety margin of it left on this process's monotonic clock.
/// </para>
/// </summary>
public interface ILeadershipGuard
{
    /// <summary>The lease term this process writes job items under; null for a process that writes as a user (no term).</summary>
    long? Term { get; }

    /// <summary>True while this process holds the lease and more than the safety margin of it remains.</summary>
    bool MayActNow();
}

/// <summary>The guard of a process that never leads: its writes carry no term and stamp none; it may always act.</summary>
public sealed class Unfenced : ILeadershipGuard
{
    public static readonly Unfenced Instance = new();

    public long? Term => null;

    public bool MayActNow() => true;
}

/// <summary>
/// A side effect was refused because this daemon no longer holds the lease with enough of it left. Transient: the pass
/// is retried, and by then either the lease was renewed or the lead was cancelled.
/// </summary>
public sealed class LeadershipLostException(string message) : CoordinatorException(message, null, isTransient: true);
