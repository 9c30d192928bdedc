using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Retry;

/// <summary>
/// The retry decision for one failed attempt. Pure, so every rule is tested without Slurm or DynamoDB.
/// Disruptions are not counted against maxAttempts, but bounded by maxDisruptions. Exit-code rules are tried in order and the first match wins, as in Kubernetes'
/// podFailurePolicy; no match (or a Count rule) counts the attempt, with exponential backoff up to maxAttempts.
/// An Ignore rule sets the batch aside rather than retrying it forever: a deterministic exit code would loop.
/// </summary>
public static class RetryPolicy
{
    public static RetryDecision Decide(AttemptEnd end, RetrySpec spec)
    {
        if (end.Kind == AttemptEndKind.Disrupted)
        {
            return end.Disruptions > spec.MaxDisruptions
                ? new RetryDecision(RetryVerdict.FailBatch, TimeSpan.Zero,
                    $"disrupted {end.Disruptions} times, more than retry.maxDisruptions ({spec.MaxDisruptions})")
                : new RetryDecision(RetryVerdict.RetryUncounted, TimeSpan.Zero,
                    $"disrupted by Slurm (preemption, node failure); not counted against maxAttempts (disruption {end.Disruptions} of {spec.MaxDisruptions} allowed)");
        }
        if (end is { Kind: AttemptEndKind.HandlerExit, ExitCode: { } code })
        {
            var rule = spec.Rules.FirstOrDefault(r => r.OnExitCodes.Contains(code));
            switch (rule?.Action)
            {
                case RetryAction.FailJob:
                    return new RetryDecision(RetryVerdict.FailJob, TimeSpan.Zero, $"exit code {code} matches a FailJob rule");
                case RetryAction.FailBatch:
                    return new RetryDecision(RetryVerdict.FailBatch, TimeSpan.Zero, $"exit code {code} matches a FailBatch rule");
                case RetryAction.Ignore:
                    return new RetryDecision(RetryVerdict.Ignore, TimeSpan.Zero, $"exit code {code} matches an Ignore rule");
                default:
                    break;
            }
        }
        var what = end.Kind == AttemptEndKind.HandlerExit ? $"exit code {end.ExitCode}" : end.Kind.ToString();
        if (end.Attempt >= spec.MaxAttempts)
        {
            return new RetryDecision(RetryVerdict.FailBatch, TimeSpan.Zero, $"{what} on attempt {end.Attempt} of {spec.MaxAttempts}");
        }
        return new RetryDecision(RetryVerdict.Retry, BackoffDelay(end.Attempt, spec.Backoff), $"{what} on attempt {end.Attempt} of {spec.MaxAttempts}; retrying");
    }

    /// <summary>base × 2^(attempt−1), capped at max; attempt is 1-based.</summary>
    public static TimeSpan BackoffDelay(int attempt, BackoffSpec backoff) => Backoff.Exponential(attempt - 1, backoff.Base, backoff.Max);
}
