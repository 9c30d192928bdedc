namespace Coordinator.Model.Tasks;

/// <summary>
/// What the retry policy decided when a batch's last attempt ended, kept as its own field so decisions never parse
/// the human <see cref="JobTask.Reason"/>. None while no attempt has ended (and after a success or a redrive).
/// </summary>
public enum TaskVerdict
{
    /// <summary>No failed attempt is on record: never ended, succeeded, or put back by a redrive.</summary>
    None,
    /// <summary>Dispatched again after a backoff; the attempt counted toward maxAttempts.</summary>
    Retry,
    /// <summary>Dispatched again at once; the attempt did not count (a disruption: preemption, node failure).</summary>
    RetryUncounted,
    /// <summary>The batch failed for good; the failure policy decides whether the job tolerates it.</summary>
    FailBatch,
    /// <summary>The batch's failure fails the whole job (a FailJob rule matched).</summary>
    FailJob,
    /// <summary>The batch was set aside as Ignored (an Ignore rule matched).</summary>
    Ignore,
}
