using Coordinator.Controllers.Dispatch;
using Coordinator.Model.Errors;

namespace Coordinator.Controllers.Ports;

/// <summary>
/// A scheduler command failed. <see cref="Transient"/> faults (controller unreachable, socket timeouts, MaxJobCount
/// reached) are retried by Polly at the edge and, past that, by the dispatch and status controllers' outage backoff
/// (<see cref="SlurmOutage"/>). <see cref="Unreachable"/> marks the transient faults that mean slurmctld did not answer
/// at all: the Slurm client already spent its own connect timeout on each one, so they are retried fewer times inside
/// a call.
/// </summary>
public sealed class SchedulerException(string message, bool transient, Exception? inner = null, bool unreachable = false)
    : CoordinatorException(message, inner, transient)
{
    /// <summary>The scheduler's name for <see cref="CoordinatorException.IsTransient"/>.</summary>
    public bool Transient => IsTransient;

    public bool Unreachable { get; } = unreachable;
}
