using Coordinator.Controllers.Retry;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Retry;

/// <summary>
/// Disruptions (preemption, node failure) are not charged against retry.maxAttempts, as Kubernetes counts them, but
/// they are bounded by retry.maxDisruptions (default 5): a batch that is always preempted ends with a reason.
/// </summary>
public sealed class DisruptionBudgetTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static AttemptResult Disrupted() => AttemptResult.Failed(AttemptEndKind.Disrupted, "PREEMPTED on node1", "");

    [Fact]
    public void RecordEnd_ABatchDisruptedEveryTimeEndsFailedWithAReasonInsteadOfRetryingForever()
    {
        var task = new JobTask { Job = "d", Index = 0, State = TaskState.Pending };
        var spec = new RetrySpec { MaxAttempts = 1 };
        var runs = 0;
        while (task.State == TaskState.Pending && runs < 50)
        {
            TaskTransitions.Claim(task, "node1", "1", "0", Now);
            TaskTransitions.RecordEnd(task, Disrupted(), spec, Now);
            runs++;
        }
        Assert.Equal(TaskState.Failed, task.State);
        Assert.Equal(6, runs);
        Assert.Contains("maxDisruptions", task.Reason, StringComparison.Ordinal);
    }
}
