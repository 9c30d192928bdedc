using Coordinator.Controllers.Dispatch;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tests.Dispatch;

public sealed class DispatchControllerTests : IDisposable
{
    private readonly ControllerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public async Task Array_SplitsOverMaxArraySizeWritesIntentBeforeEachSbatchAndMovesToRunning()
    {
        await _fx.StoredJobAsync("arr", 25, s => { s.Slurm.MaxConcurrent = 7; s.Slurm.Partition = "debug"; s.Slurm.Memory = "1G"; });
        _fx.Scheduler.MaxArraySize = 10;
        _fx.Scheduler.OnSubmit = async request =>
        {
            var saved = (await _fx.State.GetJobAsync("arr", default))!;
            Assert.Equal(SubmissionComment.TryParse(request.Token)!.Value.Token, saved.Status.Dispatch!.Token);
            Assert.Null(saved.Status.Dispatch.SlurmJobId);
        };
        var (job, _) = await _fx.PassAsync("arr", _fx.Dispatch);

        Assert.Equal(["0-9", "0-9", "0-4"], _fx.Scheduler.Submitted.Select(s => s.Request.ArrayIndexes));
        Assert.Equal([0, 10, 20], _fx.Scheduler.Submitted.Select(s => SubmissionComment.TryParse(s.Request.Token)!.Value.Offset!.Value));
        var first = _fx.Scheduler.Submitted[0].Request;
        Assert.Equal(("arr", 7, "debug", "1G"), (first.JobName, first.MaxConcurrent, first.Partition, first.Memory));
        Assert.Contains("--index-offset=0", first.Command);
        Assert.Equal(JobPhase.Running, job.Status.Phase);
        Assert.Equal(("20-24", "102"), (job.Status.Dispatch!.Indexes, job.Status.Dispatch.SlurmJobId));
    }

    [Fact]
    public async Task Array_DoesNotResubmitBatchesSlurmStillHas()
    {
        await _fx.StoredJobAsync("again", 5);
        await _fx.PassAsync("again", _fx.Dispatch);
        await _fx.PassAsync("again", _fx.Dispatch);
        Assert.Single(_fx.Scheduler.Submitted);
    }

    [Fact]
    public async Task Array_ResubmitsOnlyPendingBatchesOnceSlurmHasForgottenThem()
    {
        await _fx.StoredJobAsync("gone", 4);
        await _fx.PassAsync("gone", _fx.Dispatch);
        await _fx.SetTaskAsync("gone", 0, t => t.State = TaskState.Succeeded);
        await _fx.SetTaskAsync("gone", 2, t => { t.State = TaskState.Pending; t.NotBefore = _fx.Now.AddMinutes(1); });
        _fx.Scheduler.Drain();
        await _fx.PassAsync("gone", _fx.Dispatch);
        Assert.Equal("1,3", _fx.Scheduler.Submitted[1].Request.ArrayIndexes);
    }

    [Fact]
    public async Task Array_AfterACrashFindsTheSubmissionByTokenInsteadOfSubmittingAgain()
    {
        var job = await _fx.StoredJobAsync("crash", 3);
        job.Status.Dispatch = new DispatchIntent { Token = "tok123", Indexes = "0-2", CreatedAt = _fx.Now };
        await _fx.State.UpdateJobStatusAsync(job, default);
        _fx.Scheduler.Live.Add(new Coordinator.Controllers.Ports.ScheduledJob("55", "crash", "tok123@0",
            [.. Enumerable.Range(0, 3).Select(i => new Coordinator.Controllers.Ports.ScheduledTask("55", i, Coordinator.Controllers.Ports.SchedulerTaskState.Pending, null))]));

        var (after, _) = await _fx.PassAsync("crash", _fx.Dispatch);
        Assert.Empty(_fx.Scheduler.Submitted);
        Assert.Equal("55", after.Status.Dispatch!.SlurmJobId);
    }

    [Fact]
    public async Task Array_KeepsOutstandingTasksUnderTheBudget()
    {
        _fx.Options.Slurm.MaxOutstandingTasks = 6;
        await _fx.StoredJobAsync("budget", 10);
        await _fx.PassAsync("budget", _fx.Dispatch);
        await _fx.PassAsync("budget", _fx.Dispatch);
        Assert.Equal("0-5", Assert.Single(_fx.Scheduler.Submitted).Request.ArrayIndexes);
    }

    [Fact]
    public async Task The_outstanding_task_budget_holds_across_jobs_dispatched_at_the_same_time()
    {
        _fx.Options.Slurm.MaxOutstandingTasks = 50;
        string[] jobs = ["b-one", "b-two", "b-three"];
        foreach (var name in jobs)
        {
            await _fx.StoredJobAsync(name, 40);
        }
        var dispatch = _fx.Dispatch(); // one controller, as the daemon registers it
        for (var round = 0; round < 3; round++)
        {
            await Task.WhenAll(jobs.Select(name => Task.Run(() => _fx.PassAsync(name, () => dispatch))));
            var outstanding = _fx.Scheduler.Snapshot().Sum(j => j.Tasks.Count(t => InFlight.IsLive(t.State)));
            Assert.True(outstanding <= 50, $"round {round}: {outstanding} outstanding tasks across {jobs.Length} jobs with MaxOutstandingTasks=50");
        }
        Assert.Equal(50, _fx.Scheduler.Snapshot().Sum(j => j.Tasks.Count));
    }

    [Fact]
    public async Task Suspended_DispatchesNothing()
    {
        await _fx.StoredJobAsync("held", 3, s => s.Suspend = true);
        await _fx.PassAsync("held", _fx.Dispatch);
        Assert.Empty(_fx.Scheduler.Submitted);
    }

    [Fact]
    public async Task NotYetStored_DispatchesNothing()
    {
        var job = WorkerFixture_NewJob("unstored");
        _fx.State.Seed(job);
        await _fx.PassAsync("unstored", _fx.Dispatch);
        Assert.Empty(_fx.Scheduler.Submitted);
    }

    [Fact]
    public async Task Pilot_SubmitsTheConfiguredNumberOfWorkersOnce()
    {
        await _fx.StoredJobAsync("pilot", 50, s => { s.Dispatch.Mode = DispatchMode.Pilot; s.Dispatch.Workers = 4; });
        await _fx.PassAsync("pilot", _fx.Dispatch);
        await _fx.PassAsync("pilot", _fx.Dispatch);
        var request = Assert.Single(_fx.Scheduler.Submitted).Request;
        Assert.Equal("0-3", request.ArrayIndexes);
        Assert.Contains("--pilot", request.Command);
        Assert.True(SubmissionComment.TryParse(request.Token)!.Value.IsPilot);
    }

    [Fact]
    public async Task Throttle_EditOfMaxConcurrentIsAppliedToLiveSubmissions()
    {
        await _fx.StoredJobAsync("thr", 5, s => s.Slurm.MaxConcurrent = 50);
        await _fx.PassAsync("thr", _fx.Dispatch);
        var job = (await _fx.State.GetJobAsync("thr", default))!;
        job.Spec.Slurm.MaxConcurrent = 2;
        await _fx.State.PutJobSpecAsync(job, true, default);
        await _fx.PassAsync("thr", _fx.Dispatch);
        Assert.Contains("throttle 100 2", _fx.Scheduler.Calls);
    }

    private static Job WorkerFixture_NewJob(string name) => Worker.WorkerFixture.NewJob(name, "cat");
}
