using Coordinator.Controllers.Metrics;
using Coordinator.Model.Status;

namespace Coordinator.Controllers.Tests.Metrics;

/// <summary>The reason label of coordinator.failures, read from the job's conditions.</summary>
public sealed class FailureReasonsTests
{
    private static Condition C(string type, string status, string reason, int minute = 0) =>
        new() { Type = type, Status = status, Reason = reason, LastTransitionTime = DateTimeOffset.UnixEpoch.AddMinutes(minute) };

    [Fact]
    public void Of_PrefersTheFailedConditionsReason()
    {
        var status = new JobStatus { Conditions = [C("Partitioned", "True", "Partitioned"), C("Failed", "True", "BackoffLimitExceeded")] };
        Assert.Equal("BackoffLimitExceeded", FailureReasons.Of(status));
    }

    [Fact]
    public void Of_WithoutAFailedConditionTakesTheNewestFalseCondition()
    {
        var status = new JobStatus { Conditions = [C("Valid", "True", "Valid", 0), C("Partitioned", "False", "InvalidUtf8", 2), C("Suspended", "False", "Resumed", 5)] };
        Assert.Equal("InvalidUtf8", FailureReasons.Of(status));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has spaces and a job name")]
    public void Of_ReasonThatIsNotAnIdentifierBecomesUnknownToKeepTheLabelLowCardinality(string reason)
    {
        var status = new JobStatus { Conditions = [C("Failed", "True", reason)] };
        Assert.Equal(FailureReasons.Unknown, FailureReasons.Of(status));
    }

    [Theory]
    [InlineData(JobPhase.Running, JobPhase.Failed, true)]
    [InlineData(JobPhase.Pending, JobPhase.Invalid, true)]
    [InlineData(JobPhase.Failed, JobPhase.Failed, false)]
    [InlineData(JobPhase.Aggregating, JobPhase.Succeeded, false)]
    public void EnteredFailure_OnlyOnAMoveIntoFailedOrInvalid(JobPhase before, JobPhase after, bool expected) =>
        Assert.Equal(expected, FailureReasons.EnteredFailure(before, after));
}
