namespace Coordinator.Controllers.Retry;

/// <summary>What to do with a batch after a failed attempt.</summary>
public enum RetryVerdict
{
    /// <summary>Dispatch again after the delay; the attempt counts toward maxAttempts.</summary>
    Retry,
    /// <summary>Dispatch again at once; the attempt does not count (a disruption).</summary>
    RetryUncounted,
    /// <summary>The batch has failed for good; the failure policy decides whether the job can tolerate it.</summary>
    FailBatch,
    /// <summary>The whole job fails now (a FailJob rule matched).</summary>
    FailJob,
    /// <summary>The batch is set aside as Ignored: not retried and not counted as a failure (an Ignore rule matched).</summary>
    Ignore,
}

/// <summary>A verdict, the delay before the retry (zero unless <see cref="RetryVerdict.Retry"/>) and why.</summary>
public sealed record RetryDecision(RetryVerdict Verdict, TimeSpan Delay, string Reason);
