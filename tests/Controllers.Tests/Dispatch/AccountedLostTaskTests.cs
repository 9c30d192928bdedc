using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Retry;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Dispatch;

/// <summary>
/// A task that left squeue without an outcome is judged by what Slurm's accounting says of it (issue 17, items 3-4):
/// NODE_FAIL and PREEMPTED are disruptions, not charged against maxAttempts; TIMEOUT and OUT_OF_MEMORY are charged,
/// with exit codes 124 and 137; the state, node and exit code are recorded on the task; one sacct per pass.
/// </summary>
public sealed class AccountedLostTaskTests : IDisposable
{
    private readonly ControllerFixture _fx = new();

    public AccountedLostTaskTests() => _fx.Accounting.Available = true;

    public void Dispose() => _fx.Dispose();

    private static AccountedTask Record(int index, string state, string node, long? rss = null, long? limit = null, int? signal = null) =>
        new("100", index, "acc", "tok@0", state, node, null, signal, null, rss, limit);

    /// <summary>A running array job whose tasks <paramref name="lost"/> were claimed (attempt 1, Slurm job 100) and then left squeue.</summary>
    private async Task LostAsync(string name, int tasks, int maxAttempts, params int[] lost)
    {
        _fx.Options.Heartbeat.Interval = TimeSpan.FromSeconds(15);
        await _fx.StoredJobAsync(name, tasks, s => s.Retry.MaxAttempts = maxAttempts);
        await _fx.PassAsync(name, _fx.Dispatch);
        _fx.Scheduler.Drain();
        foreach (var index in lost)
        {
            await _fx.SetTaskAsync(name, index, t =>
            {
                t.State = TaskState.Running; t.Attempt = 1; t.Heartbeat = _fx.Now; t.StartedAt = _fx.Now; t.Host = "node1";
                t.SlurmJobId = "100"; t.SlurmArrayTaskId = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            });
        }
        await _fx.PassAsync(name, _fx.Status);
        _fx.Advance(TimeSpan.FromSeconds(31));
    }

    [Fact]
    public async Task Preempted_IsADisruptionNotChargedAgainstMaxAttemptsAndRecordsSlurmsNode()
    {
        await LostAsync("acc", 1, maxAttempts: 1, 0);
        _fx.Accounting.Records.Add(Record(0, "PREEMPTED", "node2"));
        var (job, _) = await _fx.PassAsync("acc", _fx.Status);
        var task = _fx.State.Stored("acc", 0);
        Assert.Equal((TaskState.Pending, 0, 1, "node2"), (task.State, task.Attempt, task.Disruptions, task.Host));
        Assert.Equal(TaskVerdict.RetryUncounted, task.Verdict);
        Assert.Contains("PREEMPTED on node2", task.Reason, StringComparison.Ordinal);
        Assert.NotEqual(JobPhase.Failed, job.Status.Phase);
    }

    [Fact]
    public async Task NodeFail_IsADisruptionToo()
    {
        await LostAsync("acc", 1, maxAttempts: 1, 0);
        _fx.Accounting.Records.Add(Record(0, "NODE_FAIL", "node3"));
        await _fx.PassAsync("acc", _fx.Status);
        var task = _fx.State.Stored("acc", 0);
        Assert.Equal((TaskState.Pending, 0, "node3"), (task.State, task.Attempt, task.Host));
        Assert.StartsWith("Disrupted: NODE_FAIL on node3", task.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutOfMemory_IsChargedWithExitCode137AndTheMaxRssInTheReason()
    {
        await LostAsync("acc", 1, maxAttempts: 1, 0);
        _fx.Accounting.Records.Add(Record(0, "OUT_OF_MEMORY", "node2", rss: 612L << 20, limit: 512L << 20, signal: 9));
        var (job, _) = await _fx.PassAsync("acc", _fx.Status);
        var task = _fx.State.Stored("acc", 0);
        Assert.Equal((TaskState.Failed, SlurmEnding.OutOfMemoryExitCode, "node2"), (task.State, task.ExitCode, task.Host));
        Assert.Contains("OUT_OF_MEMORY on node2, MaxRSS 612M of 512M", task.Reason, StringComparison.Ordinal);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.Contains("batch 0: HandlerExit: OUT_OF_MEMORY on node2", job.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_IsChargedWithExitCode124AndRetriedUnderMaxAttempts()
    {
        await LostAsync("acc", 1, maxAttempts: 2, 0);
        _fx.Accounting.Records.Add(Record(0, "TIMEOUT", "node1"));
        await _fx.PassAsync("acc", _fx.Status);
        var task = _fx.State.Stored("acc", 0);
        Assert.Equal((TaskState.Pending, 1, SlurmEnding.TimeoutExitCode, TaskVerdict.Retry), (task.State, task.Attempt, task.ExitCode, task.Verdict));
        Assert.Contains("TIMEOUT on node1", task.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyLostTasksInOnePass_AskSacctOnceWithABoundedWindow()
    {
        await LostAsync("acc", 4, maxAttempts: 3, 0, 1, 2, 3);
        _fx.Accounting.Records.AddRange([Record(0, "PREEMPTED", "node1"), Record(1, "NODE_FAIL", "node2"), Record(2, "TIMEOUT", "node3")]);
        await _fx.PassAsync("acc", _fx.Status);
        Assert.Equal(1, _fx.Accounting.Calls);
        Assert.InRange(_fx.Accounting.Windows[0], TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(6));
        // No record for batch 3: lost, as without accounting.
        Assert.StartsWith("Lost: worker on node1", _fx.State.Stored("acc", 3).Reason, StringComparison.Ordinal);
        Assert.Equal(1, _fx.State.Stored("acc", 1).Disruptions);
    }

    [Fact]
    public async Task APassWithoutLostTasks_RunsNoSacct()
    {
        await _fx.StoredJobAsync("quiet", 3);
        await _fx.PassAsync("quiet", _fx.Dispatch);
        await _fx.PassAsync("quiet", _fx.Status);
        _fx.Advance(TimeSpan.FromMinutes(1));
        await _fx.PassAsync("quiet", _fx.Status);
        Assert.Equal(0, _fx.Accounting.Calls);
    }

    [Fact]
    public async Task AStaleTaskSlurmStillRunsOnAnUnreachableNode_WaitsForSlurmsVerdictBeforeItIsCharged()
    {
        // A host cut off: its worker's heartbeat goes stale (30 s here) before slurmctld declares the node down
        // (SlurmdTimeout, then NODE_FAIL); meanwhile sacct still says RUNNING. Charging it then would fail a batch
        // that Slurm is about to call a node failure.
        await LostAsync("acc", 1, maxAttempts: 1, 0);
        _fx.Accounting.Records.Add(Record(0, "RUNNING", "node3"));
        var (job, _) = await _fx.PassAsync("acc", _fx.Status);
        Assert.Equal((TaskState.Running, 1), (_fx.State.Stored("acc", 0).State, _fx.State.Stored("acc", 0).Attempt));
        Assert.NotEqual(JobPhase.Failed, job.Status.Phase);

        _fx.Advance(TimeSpan.FromSeconds(20));
        _fx.Accounting.Records.Clear();
        _fx.Accounting.Records.Add(Record(0, "NODE_FAIL", "node3"));
        await _fx.PassAsync("acc", _fx.Status);
        var task = _fx.State.Stored("acc", 0);
        Assert.Equal((TaskState.Pending, 0, 1), (task.State, task.Attempt, task.Disruptions));
    }

    [Fact]
    public async Task AStaleTaskSlurmKeepsRunning_IsChargedAsLostOnceItHasWaitedAnotherStaleAfter()
    {
        await LostAsync("acc", 1, maxAttempts: 2, 0);
        _fx.Accounting.Records.Add(Record(0, "RUNNING", "node3"));
        await _fx.PassAsync("acc", _fx.Status);
        Assert.Equal(TaskState.Running, _fx.State.Stored("acc", 0).State);
        _fx.Advance(_fx.Options.Heartbeat.StaleAfter + TimeSpan.FromSeconds(1));
        await _fx.PassAsync("acc", _fx.Status);
        var task = _fx.State.Stored("acc", 0);
        Assert.Equal((TaskState.Pending, 1), (task.State, task.Attempt));
        Assert.StartsWith("Lost", task.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStaleTaskSqueueStillListsButSacctDoesNotYetShow_WaitsForSlurmsVerdictToo()
    {
        // Slurm 22.05 stores the job comment (the deployment's mark) only when the job ends: sacct cannot show a
        // running task as this deployment's, but squeue (scoped the same way) still lists it.
        _fx.Options.Heartbeat.Interval = TimeSpan.FromSeconds(15);
        await _fx.StoredJobAsync("acc", 1, s => s.Retry.MaxAttempts = 1);
        await _fx.PassAsync("acc", _fx.Dispatch);
        await _fx.SetTaskAsync("acc", 0, t =>
        {
            t.State = TaskState.Running; t.Attempt = 1; t.Heartbeat = _fx.Now; t.StartedAt = _fx.Now; t.Host = "node3";
            t.SlurmJobId = "100"; t.SlurmArrayTaskId = "0";
        });
        await _fx.PassAsync("acc", _fx.Status);
        _fx.Advance(_fx.Options.Heartbeat.StaleAfter + TimeSpan.FromSeconds(1));
        var (job, _) = await _fx.PassAsync("acc", _fx.Status);
        Assert.Equal(TaskState.Running, _fx.State.Stored("acc", 0).State);
        Assert.NotEqual(JobPhase.Failed, job.Status.Phase);
        Assert.Equal(1, _fx.Accounting.Calls);
    }
}
