using Coordinator.Model.Errors;

namespace Coordinator.Model.Status;

/// <summary>
/// The one table of allowed job phase moves. Staying in the same phase is always allowed (a reconcile pass that
/// only updates counts). Anything else not listed is a bug in the caller: <see cref="Ensure"/> throws.
/// Terminal phases (Succeeded, Failed, Cancelled) and Invalid are left only for Pending, when the user submits a
/// new spec generation; Failed may also go back to Dispatching, when the user bumps spec.retryGeneration (redrive).
/// </summary>
public static class PhaseTransitions
{
    private static readonly Dictionary<JobPhase, JobPhase[]> Allowed = new()
    {
        [JobPhase.Pending] = [JobPhase.Invalid, JobPhase.Partitioning, JobPhase.Suspended, JobPhase.Failed, JobPhase.Cancelled],
        [JobPhase.Invalid] = [JobPhase.Pending],
        [JobPhase.Partitioning] = [JobPhase.Pending, JobPhase.Invalid, JobPhase.Dispatching, JobPhase.Suspended, JobPhase.Failed, JobPhase.Cancelled],
        [JobPhase.Dispatching] = [JobPhase.Pending, JobPhase.Invalid, JobPhase.Running, JobPhase.Suspended, JobPhase.Failed, JobPhase.Cancelled],
        [JobPhase.Running] = [JobPhase.Pending, JobPhase.Invalid, JobPhase.Dispatching, JobPhase.Aggregating, JobPhase.Suspended, JobPhase.Succeeded, JobPhase.Failed, JobPhase.Cancelled],
        [JobPhase.Suspended] = [JobPhase.Pending, JobPhase.Invalid, JobPhase.Partitioning, JobPhase.Dispatching, JobPhase.Running, JobPhase.Failed, JobPhase.Cancelled],
        [JobPhase.Aggregating] = [JobPhase.Succeeded, JobPhase.Failed, JobPhase.Cancelled],
        [JobPhase.Succeeded] = [JobPhase.Pending],
        [JobPhase.Failed] = [JobPhase.Pending, JobPhase.Dispatching],
        [JobPhase.Cancelled] = [JobPhase.Pending],
    };

    /// <summary>Every allowed (from, to) pair with from != to, for documentation and tests.</summary>
    public static IEnumerable<(JobPhase From, JobPhase To)> All =>
        Allowed.SelectMany(kv => kv.Value.Select(to => (kv.Key, to)));

    public static bool IsAllowed(JobPhase from, JobPhase to) =>
        from == to || (Allowed.TryGetValue(from, out var targets) && Array.IndexOf(targets, to) >= 0);

    /// <summary>Throws <see cref="IllegalPhaseTransitionException"/> unless the move is in the table.</summary>
    public static void Ensure(JobPhase from, JobPhase to)
    {
        if (!IsAllowed(from, to))
        {
            throw new IllegalPhaseTransitionException(from, to);
        }
    }

    /// <summary>Succeeded, Failed and Cancelled: nothing more happens unless the user submits a new generation.</summary>
    public static bool IsTerminal(JobPhase phase) =>
        phase is JobPhase.Succeeded or JobPhase.Failed or JobPhase.Cancelled;
}
