using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Retry;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Dispatch;

public sealed class StatusControllerTests : IDisposable
{
    private readonly ControllerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private async Task<Job> RunningJobAsync(string name, int tasks, Action<JobSpec>? configure = null)
    {
        await _fx.StoredJobAsync(name, tasks, configure);
        var (job, _) = await _fx.PassAsync(name, _fx.Dispatch);
        return job;
    }

    private Task Succeed(string job, int index, long records = 3) => _fx.SetTaskAsync(job, index, t =>
    {
        t.State = TaskState.Succeeded;
        t.OutputRecords = records;
        t.Attempt = 1;
    });

    private Task Fail(string job, int index, string reason = "HandlerExit: exit code 1", TaskVerdict verdict = TaskVerdict.FailBatch) =>
        _fx.SetTaskAsync(job, index, t =>
        {
            t.State = TaskState.Failed;
            t.Reason = reason;
            t.Verdict = verdict;
            t.Attempt = 3;
        });

    [Fact]
    public async Task Progress_PublishesCountsRangesAndRecords()
    {
        await RunningJobAsync("prog", 6);
        await Succeed("prog", 0);
        await Succeed("prog", 1);
        await Succeed("prog", 3);
        await _fx.SetTaskAsync("prog", 4, t => { t.State = TaskState.Running; t.Heartbeat = _fx.Now; });
        var (job, result) = await _fx.PassAsync("prog", _fx.Status);
        Assert.Equal((6L, 2L, 1L, 3L, 0L), (job.Status.Batches.Total, job.Status.Batches.Pending, job.Status.Batches.Running, job.Status.Batches.Succeeded, job.Status.Batches.Failed));
        Assert.Equal("0-1,3", job.Status.CompletedIndexes);
        Assert.Equal((18L, 9L), (job.Status.Records.Input, job.Status.Records.Output));
        Assert.NotNull(result.RequeueAfter);
    }

    [Fact]
    public async Task Tasks_of_another_generation_are_not_counted_retried_or_failed_into_this_one()
    {
        // Issue 14, defect 1: a spec edit from 6 batches to 4 leaves items 4-5 of the old generation under the same
        // (job, index) keys. They must not count, fail the job, or add their records to the new generation's.
        var job = await RunningJobAsync("regen", 4);
        for (var i = 0; i < 4; i++)
        {
            await Succeed("regen", i);
        }
        await _fx.State.PutTasksAsync(
        [
            new JobTask { Job = "regen", Index = 4, Generation = job.Generation - 1, State = TaskState.Succeeded, Attempt = 1, OutputRecords = 3 },
            new JobTask { Job = "regen", Index = 5, Generation = job.Generation - 1, State = TaskState.Failed, Attempt = 3, Reason = "HandlerExit: exit code 1", Verdict = TaskVerdict.FailBatch },
        ], default);

        var (after, _) = await _fx.PassAsync("regen", _fx.Status);

        Assert.Equal((4L, 4L, 0L), (after.Status.Batches.Total, after.Status.Batches.Succeeded, after.Status.Batches.Failed));
        Assert.Equal("0-3", after.Status.CompletedIndexes);
        Assert.Equal(12L, after.Status.Records.Output);
        Assert.NotEqual(JobPhase.Failed, after.Status.Phase);
    }

    [Fact]
    public async Task LostTask_WithStaleHeartbeatCountsAsAFailedAttemptAndIsRetried()
    {
        await RunningJobAsync("lost", 2);
        await _fx.SetTaskAsync("lost", 1, t => { t.State = TaskState.Running; t.Attempt = 1; t.Heartbeat = _fx.Now.AddMinutes(-10); t.Host = "n1"; });
        // Staleness is this daemon not seeing the item change, on its own clock; the stamp's age says nothing.
        await _fx.PassAsync("lost", _fx.Status);
        Assert.Equal(TaskState.Running, _fx.State.Stored("lost", 1).State);
        _fx.Advance(_fx.Options.Heartbeat.StaleAfter + TimeSpan.FromMilliseconds(1));
        await _fx.PassAsync("lost", _fx.Status);
        var task = _fx.State.Stored("lost", 1);
        Assert.Equal(TaskState.Pending, task.State);
        Assert.StartsWith("Lost", task.Reason, StringComparison.Ordinal);
        Assert.NotNull(task.NotBefore);
    }

    [Fact]
    public async Task LostTask_AbsentFromSqueueInArrayModeIsLostAfterAShortGrace()
    {
        _fx.Options.Heartbeat.Interval = TimeSpan.FromSeconds(15);
        await RunningJobAsync("vanished", 1);
        _fx.Scheduler.Drain();
        await _fx.SetTaskAsync("vanished", 0, t => { t.State = TaskState.Running; t.Attempt = 3; t.Heartbeat = _fx.Now; });
        await _fx.PassAsync("vanished", _fx.Status);
        Assert.Equal(TaskState.Running, _fx.State.Stored("vanished", 0).State);
        // 31 s without a change: past the 30 s grace for a task squeue no longer shows, well before StaleAfter (90 s).
        _fx.Advance(TimeSpan.FromSeconds(31));
        var (job, _) = await _fx.PassAsync("vanished", _fx.Status);
        Assert.Equal(TaskState.Failed, _fx.State.Stored("vanished", 0).State);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
    }

    [Fact]
    public async Task FailJobRule_FailsTheJobAndCancelsWhatIsLeftInSlurm()
    {
        await RunningJobAsync("fj", 3);
        await Fail("fj", 1, "FailJob: HandlerExit: exit code 42", TaskVerdict.FailJob);
        var (job, _) = await _fx.PassAsync("fj", _fx.Status);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.Equal("FailJobRule", StatusEditor.GetCondition(job.Status, ConditionTypes.Failed)!.Reason);
        Assert.Contains("cancel 100", _fx.Scheduler.Calls);
    }

    [Fact]
    public async Task FailurePolicy_ToleratedFailuresLetTheJobAggregate()
    {
        await RunningJobAsync("tol", 4, s => s.FailurePolicy.ToleratedFailureCount = 1);
        await Succeed("tol", 0);
        await Succeed("tol", 1);
        await Succeed("tol", 2);
        await Fail("tol", 3);
        _fx.Scheduler.Drain();
        var (job, result) = await _fx.PassAsync("tol", _fx.Status);
        Assert.Equal(JobPhase.Aggregating, job.Status.Phase);
        Assert.True(result.ContinuePipeline);
        Assert.Equal("3", job.Status.FailedIndexes);
    }

    [Fact]
    public async Task FailurePolicy_TooManyFailuresFailTheJobWithPerBatchReasons()
    {
        await RunningJobAsync("many", 4, s => s.FailurePolicy.ToleratedFailurePercent = 25);
        await Fail("many", 0, "BadHandler: output line 2 is not valid JSON");
        await Fail("many", 2);
        var (job, _) = await _fx.PassAsync("many", _fx.Status);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.Contains("batch 0: BadHandler: output line 2", job.Status.Message, StringComparison.Ordinal);
        Assert.Contains("tolerated: 1", job.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ActiveDeadline_FailsTheJobOnceExceeded()
    {
        await RunningJobAsync("late", 2, s => s.ActiveDeadline = TimeSpan.FromMinutes(5));
        _fx.Now = _fx.Now.AddMinutes(6);
        var (job, _) = await _fx.PassAsync("late", _fx.Status);
        Assert.Equal("DeadlineExceeded", StatusEditor.GetCondition(job.Status, ConditionTypes.Failed)!.Reason);
    }

    [Fact]
    public async Task SuspendAndResume_HoldAndReleaseLiveSubmissions()
    {
        await RunningJobAsync("sus", 3);
        var job = (await _fx.State.GetJobAsync("sus", default))!;
        job.Spec.Suspend = true;
        await _fx.State.PutJobSpecAsync(job, true, default);
        (job, _) = await _fx.PassAsync("sus", _fx.Status);
        Assert.Equal(JobPhase.Suspended, job.Status.Phase);
        Assert.Contains("hold 100", _fx.Scheduler.Calls);

        job.Spec.Suspend = false;
        await _fx.State.PutJobSpecAsync(job, true, default);
        (job, _) = await _fx.PassAsync("sus", _fx.Status);
        Assert.Equal(JobPhase.Running, job.Status.Phase);
        Assert.Contains("release 100", _fx.Scheduler.Calls);
    }

    [Fact]
    public async Task Redrive_BumpedRetryGenerationRerunsOnlyFailedBatches()
    {
        await RunningJobAsync("redo", 3);
        await Succeed("redo", 0);
        await Fail("redo", 1);
        var (job, _) = await _fx.PassAsync("redo", _fx.Status);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);

        job.Spec.RetryGeneration = 1;
        await _fx.State.PutJobSpecAsync(job, true, default);
        (job, _) = await _fx.PassAsync("redo", _fx.Status);
        Assert.Equal(JobPhase.Dispatching, job.Status.Phase);
        Assert.Equal((TaskState.Succeeded, TaskState.Pending, 0), (_fx.State.Stored("redo", 0).State, _fx.State.Stored("redo", 1).State, _fx.State.Stored("redo", 1).Attempt));
        Assert.Equal(1, StatusEditor.GetCondition(job.Status, Redrive.ConditionType)!.ObservedGeneration);
    }

    [Fact]
    public async Task Cancelled_CancelsLiveSubmissions()
    {
        await RunningJobAsync("cx", 3);
        var job = (await _fx.State.GetJobAsync("cx", default))!;
        job.Status.Phase = JobPhase.Cancelled;
        await _fx.State.UpdateJobStatusAsync(job, default);
        await _fx.PassAsync("cx", _fx.Status);
        Assert.Contains("cancel 100", _fx.Scheduler.Calls);
    }

    [Fact]
    public async Task Ttl_DeletesTheFinishedJobItsTasksAndItsObjects()
    {
        await RunningJobAsync("ttl", 2, s => s.TtlAfterFinished = TimeSpan.FromMinutes(1));
        await Fail("ttl", 0);
        await _fx.PassAsync("ttl", _fx.Status);
        _fx.Now = _fx.Now.AddMinutes(2);
        await _fx.PassAsync("ttl", _fx.Status);
        Assert.Null(await _fx.State.GetJobAsync("ttl", default));
        Assert.Null(await _fx.State.GetTaskAsync("ttl", 1, default));
        Assert.False(Directory.Exists(Path.Combine(_fx.Worker.Root, "data", "jobs", "ttl")) && Directory.EnumerateFiles(Path.Combine(_fx.Worker.Root, "data", "jobs", "ttl"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task A_submission_Slurm_can_never_start_says_so_on_the_job_and_the_condition_clears_once_it_runs()
    {
        // sbatch accepts --cpus-per-task=64 on a 2-CPU node and the task pends with reason PartitionConfig for ever.
        await RunningJobAsync("toobig", 2, s => s.Slurm.CpusPerTask = 64);
        SetReasons("PartitionConfig", SchedulerTaskState.Pending);
        var (job, _) = await _fx.PassAsync("toobig", _fx.Status);
        var condition = StatusEditor.GetCondition(job.Status, "Schedulable");
        Assert.NotNull(condition);
        Assert.Equal((StatusEditor.False, "PendingInSlurm"), (condition.Status, condition.Reason));
        Assert.Equal("Slurm will not start 2 batch task(s): pending with reason PartitionConfig (the request exceeds what the "
            + "partition's nodes have; check spec.slurm: cpusPerTask=64)", condition.Message);

        // A reason Slurm clears by itself (waiting for resources or priority) is not a problem to report.
        SetReasons("Resources", SchedulerTaskState.Pending);
        (job, _) = await _fx.PassAsync("toobig", _fx.Status);
        Assert.Equal(StatusEditor.True, StatusEditor.GetCondition(job.Status, "Schedulable")?.Status);
    }

    private void SetReasons(string reason, SchedulerTaskState state)
    {
        lock (_fx.Scheduler.Live)
        {
            for (var i = 0; i < _fx.Scheduler.Live.Count; i++)
            {
                var listed = _fx.Scheduler.Live[i];
                _fx.Scheduler.Live[i] = listed with { Tasks = [.. listed.Tasks.Select(t => t with { State = state, Reason = reason })] };
            }
        }
    }
}
