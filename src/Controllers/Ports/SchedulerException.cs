using Coordinator.Controllers.Dispatch;
using Coordinator.Model.Errors;

namespace Coordinator.Controllers.Ports;

/// <summary>What kind of scheduler failure a <see cref="SchedulerException"/> is, and so what the controllers do with it.</summary>
public enum SchedulerFault
{
    /// <summary>Anything else: the pass fails, the work queue backs it off and the error is recorded as an event on the job.</summary>
    Other,

    /// <summary>Slurm answered "try again later" (socket timeouts, MaxJobCount reached): retried, then an outage.</summary>
    Transient,

    /// <summary>slurmctld did not answer at all (stopped, restarting, network down): an outage.</summary>
    Unreachable,

    /// <summary>
    /// The Slurm client on this host cannot work: it finds no configuration (no <c>SLURM_CONF</c> and no
    /// <c>/etc/slurm/slurm.conf</c>), cannot authenticate (munge), or is not installed. Nothing a retry inside the call
    /// fixes, but an operator can fix it without touching the job: the job carries a condition saying what is wrong
    /// and where to look, and is tried again with backoff.
    /// </summary>
    Configuration,

    /// <summary>
    /// sbatch refused the submission because of what the job asks for (a partition, account, qos, gres, memory or
    /// time limit the cluster does not have or allow): the same spec fails the same way, so the job fails with Slurm's
    /// message.
    /// </summary>
    Refused,
}

/// <summary>
/// A scheduler command failed. <see cref="Transient"/> faults (controller unreachable, socket timeouts, MaxJobCount
/// reached) are retried by Polly at the edge and, past that, by the dispatch and status controllers' outage backoff
/// (<see cref="SlurmOutage"/>). <see cref="Unreachable"/> marks the transient faults that mean slurmctld did not answer
/// at all: the Slurm client already spent its own connect timeout on each one, so they are retried fewer times inside
/// a call. <see cref="Fault"/> says which of these, or a configuration problem, or a refusal of the spec.
/// </summary>
public sealed class SchedulerException(string message, bool transient, Exception? inner = null, bool unreachable = false, SchedulerFault? fault = null)
    : CoordinatorException(message, inner, transient)
{
    /// <summary>The scheduler's name for <see cref="CoordinatorException.IsTransient"/>.</summary>
    public bool Transient => IsTransient;

    public bool Unreachable { get; } = unreachable;

    public SchedulerFault Fault { get; } = fault ?? (unreachable ? SchedulerFault.Unreachable : transient ? SchedulerFault.Transient : SchedulerFault.Other);
}
