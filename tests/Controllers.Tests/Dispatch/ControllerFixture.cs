using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Tasks;
using Coordinator.Controllers.Tests.Scheduling;
using Coordinator.Controllers.Tests.Worker;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Testing.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Dispatch;

/// <summary>Dispatch/status controllers over the in-memory state store, a fake scheduler and a file:// data root.</summary>
internal sealed class ControllerFixture : IDisposable
{
    private readonly WorkerFixture _worker = new();

    public ControllerFixture()
    {
        Options.Slurm.LogDirectory = Path.Combine(_worker.Root, "logs");
        Tallies = new TaskTallySource(State, Scheduler, Options, watch: new TaskWatch(Clock));
    }

    public InMemoryStateStore State => _worker.State;
    public FakeScheduler Scheduler { get; } = new();
    public Configuration.CoordinatorOptions Options => _worker.Options;
    public TaskTallySource Tallies { get; }
    public WorkerFixture Worker => _worker;
    public DateTimeOffset Now { get; set; } = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);

    /// <summary>Moves the daemon's clock: the passes' time and the clock the daemon measures its waits on.</summary>
    public void Advance(TimeSpan by)
    {
        Now += by;
        Clock.Advance(by);
    }

    /// <summary>What the outage backoff measures its waits on.</summary>
    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero));

    /// <summary>Shared by the two controllers, as in the daemon: an outage counted by one is ended by the other.</summary>
    public SlurmOutage Outage => _outage ??= new SlurmOutage(NullLogger<SlurmOutage>.Instance, Clock);

    private SlurmOutage? _outage;

    /// <summary>The daemon's memory of its submissions, shared by every pass as in the daemon.</summary>
    public UnclaimedSubmissions Unclaimed => _unclaimed ??= new UnclaimedSubmissions(State, Options, NullLogger<UnclaimedSubmissions>.Instance);

    private UnclaimedSubmissions? _unclaimed;

    public DispatchController Dispatch() => new(Scheduler, Tallies, Options, NullLogger<DispatchController>.Instance, Outage, unclaimed: Unclaimed);

    /// <summary>One status controller for every pass, as the daemon's singleton (it remembers tasks waiting for Slurm's verdict).</summary>
    public StatusController Status() =>
        _status ??= new(Scheduler, State, Tallies, new JobCleanup(State, _worker.Store, Options), NullLogger<StatusController>.Instance, Outage, CoordinatorMetrics.NoOp(), Options, Accounting);

    private StatusController? _status;

    /// <summary>What sacct says (empty unless a test adds records): the status controller reads it for lost tasks.</summary>
    public Scheduling.FakeAccounting Accounting { get; } = new();

    /// <summary>A stored job (Stored=True) with <paramref name="tasks"/> Pending task items.</summary>
    public async Task<Job> StoredJobAsync(string name, int tasks, Action<JobSpec>? configure = null)
    {
        var job = WorkerFixture.NewJob(name, "cat");
        configure?.Invoke(job.Spec);
        job.Status.Phase = JobPhase.Partitioning;
        StatusEditor.SetCondition(job.Status, ConditionTypes.Stored, StatusEditor.True, "Stored", "", job.Generation, Now);
        job = await _worker.SeedAsync(job, tasks);
        return job;
    }

    /// <summary>Runs a controller pass on a fresh read of the job, saving status as the reconciler does.</summary>
    public async Task<(Job Job, ControllerResult Result)> PassAsync(string name, Func<IJobController> controller)
    {
        Tallies.Invalidate(name);
        var job = (await State.GetJobAsync(name, default))!;
        var context = new JobContext(job, Now, State.UpdateJobStatusAsync);
        var result = await controller().ReconcileAsync(context, default);
        if (await State.GetJobAsync(name, default) is null)
        {
            return (null!, result); // deleted by the pass (ttlAfterFinished); the reconciler's save would conflict and stop
        }
        await context.SaveStatusAsync(default);
        return ((await State.GetJobAsync(name, default))!, result);
    }

    public async Task SetTaskAsync(string job, int index, Action<JobTask> edit)
    {
        var task = (await State.GetTaskAsync(job, index, default))!;
        edit(task);
        await State.UpdateTaskAsync(task, default);
    }

    public void Dispose() => _worker.Dispose();
}
