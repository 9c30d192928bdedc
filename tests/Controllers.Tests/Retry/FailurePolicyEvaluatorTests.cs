using Coordinator.Controllers.Retry;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Tests.Retry;

public sealed class FailurePolicyEvaluatorTests
{
    [Fact]
    public void IsTolerated_DefaultPolicyToleratesNoFailure()
    {
        Assert.True(FailurePolicyEvaluator.IsTolerated(0, 100, new FailurePolicySpec()));
        Assert.False(FailurePolicyEvaluator.IsTolerated(1, 100, new FailurePolicySpec()));
    }

    [Fact]
    public void IsTolerated_PercentIsOfTotalBatchesRoundedDown()
    {
        var policy = new FailurePolicySpec { ToleratedFailurePercent = 10 };
        Assert.True(FailurePolicyEvaluator.IsTolerated(2, 29, policy));
        Assert.False(FailurePolicyEvaluator.IsTolerated(3, 29, policy));
    }

    [Fact]
    public void IsTolerated_EitherCountOrPercentIsEnough()
    {
        var policy = new FailurePolicySpec { ToleratedFailurePercent = 1, ToleratedFailureCount = 5 };
        Assert.True(FailurePolicyEvaluator.IsTolerated(5, 10, policy));
        Assert.True(FailurePolicyEvaluator.IsTolerated(10, 1000, policy));
        Assert.False(FailurePolicyEvaluator.IsTolerated(11, 1000, policy));
    }

    [Fact]
    public void IsPastDeadline_OnlyWhenStartedAndLongerThanTheDeadline()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.False(FailurePolicyEvaluator.IsPastDeadline(null, start.AddDays(9), TimeSpan.FromHours(1)));
        Assert.False(FailurePolicyEvaluator.IsPastDeadline(start, start.AddDays(9), null));
        Assert.False(FailurePolicyEvaluator.IsPastDeadline(start, start.AddMinutes(59), TimeSpan.FromHours(1)));
        Assert.True(FailurePolicyEvaluator.IsPastDeadline(start, start.AddMinutes(61), TimeSpan.FromHours(1)));
    }
}
