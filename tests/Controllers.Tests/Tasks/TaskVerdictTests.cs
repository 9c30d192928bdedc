using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Retry;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;
using Coordinator.Testing.State;

namespace Coordinator.Controllers.Tests.Tasks;

/// <summary>The retry verdict is a field of the task: written by the transitions, read by the tally, cleared by a redrive.</summary>
public sealed class TaskVerdictTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T10:00:00Z");

    private static RetrySpec Spec() => new()
    {
        MaxAttempts = 3,
        Backoff = new BackoffSpec { Base = TimeSpan.FromSeconds(10), Max = TimeSpan.FromSeconds(25) },
        Rules =
        [
            new RetryRule { Action = RetryAction.FailJob, OnExitCodes = [42] },
            new RetryRule { Action = RetryAction.FailBatch, OnExitCodes = [3] },
            new RetryRule { Action = RetryAction.Ignore, OnExitCodes = [7] },
        ],
    };

    private static TaskTally Tally(params JobTask[] tasks) =>
        TaskTally.From(tasks, new InFlight(), new TaskWatch(), new HeartbeatOptions().StaleAfter, arrayMode: false);

    private static JobTask Failed(int index, string reason, TaskVerdict verdict) =>
        new() { Job = "v", Index = index, State = TaskState.Failed, Reason = reason, Verdict = verdict };

    [Theory]
    [InlineData(AttemptEndKind.HandlerExit, 1, 1, TaskVerdict.Retry, TaskState.Pending)]
    [InlineData(AttemptEndKind.Disrupted, null, 1, TaskVerdict.RetryUncounted, TaskState.Pending)]
    [InlineData(AttemptEndKind.HandlerExit, 3, 1, TaskVerdict.FailBatch, TaskState.Failed)]
    [InlineData(AttemptEndKind.Timeout, null, 3, TaskVerdict.FailBatch, TaskState.Failed)]
    [InlineData(AttemptEndKind.HandlerExit, 42, 1, TaskVerdict.FailJob, TaskState.Failed)]
    [InlineData(AttemptEndKind.HandlerExit, 7, 1, TaskVerdict.Ignore, TaskState.Ignored)]
    public void RecordEnd_writes_the_policy_verdict_on_the_task(AttemptEndKind kind, int? exitCode, int attempt, TaskVerdict verdict, TaskState state)
    {
        var task = new JobTask { Job = "v", Index = 0, State = TaskState.Running, Attempt = attempt };

        TaskTransitions.RecordEnd(task, AttemptResult.Failed(kind, "boom", "", exitCode), Spec(), Now);

        Assert.Equal((verdict, state), (task.Verdict, task.State));
    }

    [Fact]
    public void The_FailJob_verdict_still_carries_the_reason_prefix_for_people()
    {
        var task = new JobTask { Job = "v", Index = 0, State = TaskState.Running, Attempt = 1 };

        TaskTransitions.RecordEnd(task, AttemptResult.Failed(AttemptEndKind.HandlerExit, "exit code 42", "", 42), Spec(), Now);

        Assert.StartsWith(TaskTransitions.FailJobReason + ": HandlerExit: exit code 42", task.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_success_and_a_new_claim_leave_no_verdict()
    {
        var task = Failed(0, "HandlerExit: exit code 1; retry after 00:00:10", TaskVerdict.Retry);
        task.State = TaskState.Pending;

        TaskTransitions.Claim(task, "node1", "100", "0", Now);
        Assert.Equal(TaskVerdict.None, task.Verdict);

        task.Verdict = TaskVerdict.Retry;
        TaskTransitions.RecordEnd(task, new AttemptResult { Succeeded = true, OutputRecords = 1 }, Spec(), Now);
        Assert.Equal(TaskVerdict.None, task.Verdict);
    }

    [Fact]
    public void The_tally_fails_the_job_from_the_verdict_not_the_reason_text()
    {
        var tally = Tally(
            Failed(0, "FailJob-like handler message: exit code 3; no retry", TaskVerdict.FailBatch),
            Failed(1, "FailJob: HandlerExit: exit code 3", TaskVerdict.FailBatch),
            Failed(2, "HandlerExit: exit code 42; FailJob rule", TaskVerdict.FailJob));

        Assert.Equal(3, tally.Failed);
        Assert.Equal([2], tally.FailingJob.Select(t => t.Index));
    }

    [Fact]
    public void A_reason_starting_with_FailJob_under_a_FailBatch_verdict_does_not_fail_the_job()
    {
        var tally = Tally(Failed(0, TaskTransitions.FailJobReason + ": HandlerExit: exit code 1", TaskVerdict.FailBatch));

        Assert.Empty(tally.FailingJob);
        Assert.Equal([0], tally.FailedIndexes);
    }

    [Fact]
    public async Task A_redrive_clears_the_verdict_with_the_failure()
    {
        var state = new InMemoryStateStore();
        await state.PutTasksAsync(
            [Failed(0, "FailJob: HandlerExit: exit code 42", TaskVerdict.FailJob), new JobTask { Job = "v", Index = 1, State = TaskState.Succeeded }],
            default);

        var reset = await Redrive.ResetFailedTasksAsync(state, "v", generation: 0, default);

        Assert.Equal([0], reset);
        var task = state.Stored("v", 0);
        Assert.Equal((TaskState.Pending, TaskVerdict.None), (task.State, task.Verdict));
        Assert.Empty(Tally(task).FailingJob);
    }
}
