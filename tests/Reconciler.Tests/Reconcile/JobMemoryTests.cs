using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Reconcile;
using Coordinator.Testing.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Reconciler.Tests.Reconcile;

/// <summary>
/// Issue 14, defect 7: the daemon keeps per job only what an unfinished job needs. The task snapshots, the stream
/// images waiting for them and the Slurm outage backoffs are forgotten when a job finishes or is deleted, images of a
/// job with no snapshot are not kept, and a new leadership term starts from nothing (another daemon may have led in
/// between, and this one saw none of its changes).
/// </summary>
public sealed class JobMemoryTests : IDisposable
{
    private readonly InMemoryStateStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
    private readonly CoordinatorMetrics _metrics = new();
    private readonly ListingScheduler _scheduler = new();
    private readonly CoordinatorOptions _options = new();
    private readonly TaskEventLog _events = new();
    private readonly TaskTallySource _tallies;
    private readonly SlurmOutage _outage;
    private readonly TaskWatch _watch;

    public JobMemoryTests()
    {
        _tallies = new TaskTallySource(_store, _scheduler, _options, _events);
        _outage = new SlurmOutage(NullLogger<SlurmOutage>.Instance, _time);
        _watch = new TaskWatch(_time);
    }

    public void Dispose() => _metrics.Dispose();

    [Fact]
    public async Task A_job_that_finishes_is_forgotten_by_every_per_job_memory()
    {
        var job = await RememberedJobAsync("done");

        await Reconciler(new Finisher()).ReconcileAsync(new JobKey("done"), default);

        Assert.Equal(JobPhase.Failed, _store.Peek("done")!.Status.Phase);
        Assert.Equal((0, 0, 0, 0), (_tallies.Jobs, _events.Jobs, _outage.Jobs, _watch.Jobs));
        Assert.NotNull(job);
    }

    [Fact]
    public async Task A_deleted_job_is_forgotten_by_every_per_job_memory()
    {
        await RememberedJobAsync("gone");
        await _store.DeleteJobAsync("gone", default);

        await Reconciler().ReconcileAsync(new JobKey("gone"), default);

        Assert.Equal((0, 0, 0, 0), (_tallies.Jobs, _events.Jobs, _outage.Jobs, _watch.Jobs));
    }

    [Fact]
    public async Task Task_images_of_a_job_with_no_snapshot_are_not_kept()
    {
        await RememberedJobAsync("active");
        for (var i = 0; i < 100; i++)
        {
            _events.Record(new JobTask { Job = $"finished-{i}", Generation = 1, Index = 0, Version = 3, State = TaskState.Succeeded, StderrTail = new string('x', 4096) });
        }

        Assert.Equal(1, _events.Jobs);
    }

    [Fact]
    public async Task A_new_term_reads_every_task_again_instead_of_patching_the_last_terms_snapshot()
    {
        var job = await RememberedJobAsync("relead");
        // Another daemon led meanwhile and batch 0 succeeded; this one never saw the stream record.
        var task = (await _store.GetTaskAsync("relead", 0, default))!;
        task.State = TaskState.Succeeded;
        task.Version = await _store.UpdateTaskAsync(task, default);

        IReconciler reconciler = Reconciler();
        reconciler.BeginTerm();
        _time.Advance(_options.Dispatch.RescanInterval + TimeSpan.FromSeconds(1));
        var snapshot = await _tallies.GetAsync(job, _time.GetUtcNow(), _options.Dispatch.RescanInterval, default);

        Assert.Equal(1, snapshot.Tally.Succeeded);
    }

    /// <summary>A job with 3 task items whose snapshot, one waiting image and one outage backoff the daemon holds.</summary>
    private async Task<Job> RememberedJobAsync(string name)
    {
        var job = JobReconcilerTests.ValidJob(name);
        _store.UserPut(job);
        job = (await _store.GetJobAsync(name, default))!;
        job.Generation = 1;
        await _store.PutTasksAsync([.. Enumerable.Range(0, 3).Select(i => new JobTask { Job = name, Generation = 1, Index = i, State = TaskState.Pending })], default);
        await _tallies.GetAsync(job, _time.GetUtcNow(), TimeSpan.Zero, default);
        _events.Record(new JobTask { Job = name, Generation = 1, Index = 1, Version = 5, State = TaskState.Running });
        _watch.Unchanged(new JobTask { Job = name, Generation = 1, Index = 1, Version = 5, State = TaskState.Running });
        _outage.Unavailable(new JobContext(job, _time.GetUtcNow(), (_, _) => Task.FromResult(job.Version)), "dispatch",
            new SchedulerException("squeue: slurm_load_jobs error: Unable to contact slurm controller", transient: true));
        Assert.Equal((1, 1, 1, 1), (_tallies.Jobs, _events.Jobs, _outage.Jobs, _watch.Jobs));
        return job;
    }

    private JobReconciler Reconciler(params IJobController[] controllers) =>
        new(_store, controllers, _options, _metrics, NullLogger<JobReconciler>.Instance, _time, _scheduler, [_tallies, _events, _outage, _watch]);

    /// <summary>Ends the job Failed, as the status controller does when its failure policy is exceeded.</summary>
    private sealed class Finisher : IJobController
    {
        public string Name => "status";
        public int Order => 400;

        public Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct)
        {
            StatusEditor.SetPhase(context, JobPhase.Failed);
            return Task.FromResult(ControllerResult.Stop);
        }
    }
}
