namespace Coordinator.Controllers.Scheduling;

/// <summary>
/// A scheduler command failed. <see cref="Transient"/> faults (controller unreachable, socket timeouts, MaxJobCount
/// reached) are retried by Polly at the edge and, past that, by the work queue's per-job backoff.
/// </summary>
public sealed class SchedulerException(string message, bool transient, Exception? inner = null) : Exception(message, inner)
{
    public bool Transient { get; } = transient;
}
