using Coordinator.Controllers.Retry;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Tests.Retry;

public sealed class RetryPolicyTests
{
    private static RetrySpec Spec(params RetryRule[] rules) => new()
    {
        MaxAttempts = 3,
        Backoff = new BackoffSpec { Base = TimeSpan.FromSeconds(10), Max = TimeSpan.FromSeconds(25) },
        Rules = [.. rules],
    };

    [Fact]
    public void Decide_DisruptionIsRetriedAtOnceWithoutCounting()
    {
        var decision = RetryPolicy.Decide(new AttemptEnd(AttemptEndKind.Disrupted, null, 3), Spec());
        Assert.Equal(RetryVerdict.RetryUncounted, decision.Verdict);
        Assert.Equal(TimeSpan.Zero, decision.Delay);
    }

    [Fact]
    public void Decide_FirstMatchingRuleWins()
    {
        var spec = Spec(
            new RetryRule { Action = RetryAction.FailJob, OnExitCodes = [42] },
            new RetryRule { Action = RetryAction.Ignore, OnExitCodes = [42, 7] });
        Assert.Equal(RetryVerdict.FailJob, RetryPolicy.Decide(new AttemptEnd(AttemptEndKind.HandlerExit, 42, 1), spec).Verdict);
        Assert.Equal(RetryVerdict.Ignore, RetryPolicy.Decide(new AttemptEnd(AttemptEndKind.HandlerExit, 7, 1), spec).Verdict);
    }

    [Fact]
    public void Decide_FailBatchRuleStopsRetryingThatBatch()
    {
        var spec = Spec(new RetryRule { Action = RetryAction.FailBatch, OnExitCodes = [3] });
        Assert.Equal(RetryVerdict.FailBatch, RetryPolicy.Decide(new AttemptEnd(AttemptEndKind.HandlerExit, 3, 1), spec).Verdict);
    }

    [Fact]
    public void Decide_CountRuleAndUnmatchedCodesRetryWithExponentialBackoff()
    {
        var spec = Spec(new RetryRule { Action = RetryAction.Count, OnExitCodes = [1] });
        var first = RetryPolicy.Decide(new AttemptEnd(AttemptEndKind.HandlerExit, 1, 1), spec);
        var second = RetryPolicy.Decide(new AttemptEnd(AttemptEndKind.HandlerExit, 9, 2), spec);
        Assert.Equal((RetryVerdict.Retry, TimeSpan.FromSeconds(10)), (first.Verdict, first.Delay));
        Assert.Equal((RetryVerdict.Retry, TimeSpan.FromSeconds(20)), (second.Verdict, second.Delay));
    }

    [Fact]
    public void Decide_LastAttemptFailsTheBatch()
    {
        var decision = RetryPolicy.Decide(new AttemptEnd(AttemptEndKind.Timeout, null, 3), Spec());
        Assert.Equal(RetryVerdict.FailBatch, decision.Verdict);
        Assert.Contains("attempt 3 of 3", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_RulesDoNotApplyToFailuresWithoutAnExitCode()
    {
        var spec = Spec(new RetryRule { Action = RetryAction.FailJob, OnExitCodes = [0] });
        Assert.Equal(RetryVerdict.Retry, RetryPolicy.Decide(new AttemptEnd(AttemptEndKind.BadHandler, 0, 1), spec).Verdict);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(3, 25)]
    [InlineData(200, 25)]
    public void BackoffDelay_DoublesAndIsCappedAtMax(int attempt, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds),
            RetryPolicy.BackoffDelay(attempt, new BackoffSpec { Base = TimeSpan.FromSeconds(10), Max = TimeSpan.FromSeconds(25) }));
}
