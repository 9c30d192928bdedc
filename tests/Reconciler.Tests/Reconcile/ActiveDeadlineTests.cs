using Coordinator.Controllers;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Hosting;
using Coordinator.Reconciler.Reconcile;
using Coordinator.Testing.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Reconciler.Tests.Reconcile;

/// <summary>
/// Issue 15, path 6: activeDeadline is a deadline in every phase, not only while the status controller looks at the
/// job. The daemon's own pipeline (every registered controller), over an in-memory store and a fake clock.
/// </summary>
public sealed class ActiveDeadlineTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromHours(1);
    private readonly InMemoryStateStore _store = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
    private readonly CoordinatorMetrics _metrics = new();
    private readonly ListingScheduler _scheduler = new();
    private readonly string _root = Directory.CreateTempSubdirectory("deadline-").FullName;
    private readonly CoordinatorOptions _options;

    public ActiveDeadlineTests() => _options = new CoordinatorOptions { DataRoot = new Uri(Path.Combine(_root, "data") + "/").ToString() };

    public void Dispose()
    {
        _metrics.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_job_still_aggregating_past_its_deadline_fails_with_DeadlineExceeded_instead_of_succeeding()
    {
        await SeedAsync("agg", JobPhase.Aggregating, ranFor: Deadline + TimeSpan.FromMinutes(1));
        await _store.PutTasksAsync([.. Enumerable.Range(0, 2).Select(i => new JobTask { Job = "agg", Generation = 1, Index = i, State = TaskState.Ignored })], default);

        await Pipeline(new FileObjectStore(flushToDisk: false)).ReconcileAsync(new JobKey("agg"), default);

        AssertDeadlineExceeded("agg");
    }

    [Fact]
    public async Task A_job_whose_partition_keeps_failing_fails_with_DeadlineExceeded_once_its_deadline_passed()
    {
        await SeedAsync("part", JobPhase.Partitioning, ranFor: Deadline + TimeSpan.FromMinutes(1));

        var result = await Pipeline(new UnreachableStore()).ReconcileAsync(new JobKey("part"), default);

        Assert.Equal(ReconcileResult.Done, result);
        AssertDeadlineExceeded("part");
    }

    [Fact]
    public async Task A_suspended_job_is_woken_when_its_deadline_passes()
    {
        await SeedAsync("held", JobPhase.Suspended, ranFor: TimeSpan.FromMinutes(20), suspend: true);

        var result = await Pipeline(new FileObjectStore(flushToDisk: false)).ReconcileAsync(new JobKey("held"), default);

        Assert.Equal(ReconcileResult.RequeueAfter(TimeSpan.FromMinutes(40)), result);
    }

    [Fact]
    public async Task A_running_job_past_its_deadline_has_its_Slurm_work_cancelled()
    {
        await SeedAsync("run", JobPhase.Running, ranFor: Deadline + TimeSpan.FromSeconds(1));
        _scheduler.Seed("4242", "run", SchedulerTaskState.Running);

        await Pipeline(new UnreachableStore()).ReconcileAsync(new JobKey("run"), default);

        AssertDeadlineExceeded("run");
        Assert.Equal(["4242"], _scheduler.Cancelled);
    }

    private void AssertDeadlineExceeded(string name)
    {
        var status = _store.Peek(name)!.Status;
        var failed = status.Conditions.SingleOrDefault(c => c.Type == ConditionTypes.Failed);
        Assert.True(status.Phase == JobPhase.Failed && failed?.Reason == "DeadlineExceeded",
            $"phase {status.Phase}, Failed condition {failed?.Reason}: {status.Message}");
        Assert.StartsWith("the job ran longer than its activeDeadline of 1h", status.Message, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow(), status.CompletedAt);
    }

    /// <summary>A job of generation 1 that has been in <paramref name="phase"/> since <paramref name="ranFor"/> ago.</summary>
    private async Task SeedAsync(string name, JobPhase phase, TimeSpan ranFor, bool suspend = false)
    {
        var input = Path.Combine(_root, name + ".jsonl");
        await File.WriteAllTextAsync(input, "{\"a\": 1}\n{\"a\": 2}\n");
        var spec = new JobSpec
        {
            Input = new InputSpec { Uri = new Uri(input).ToString() },
            Batching = new BatchingSpec { MaxRecords = 1 },
            Handler = new HandlerSpec { Command = ["cat"] },
            Output = new OutputSpec { Uri = new Uri(Path.Combine(_root, "out", name) + "/").ToString() },
            ActiveDeadline = Deadline,
            Suspend = suspend,
        };
        _store.UserPut(new Job { Name = name, Spec = spec });
        await new JobReconciler(_store, [new ValidationController()], _options, _metrics, NullLogger<JobReconciler>.Instance, _time)
            .ReconcileAsync(new JobKey(name), default);
        var job = (await _store.GetJobAsync(name, default))!;
        job.Status.Phase = phase;
        job.Status.StartedAt = _time.GetUtcNow() - ranFor;
        if (phase != JobPhase.Partitioning)
        {
            foreach (var type in new[] { ConditionTypes.Partitioned, ConditionTypes.Stored })
            {
                StatusEditor.SetCondition(job.Status, type, StatusEditor.True, type, "", 1, job.Status.StartedAt.Value);
            }
            await _store.PutTasksAsync([new JobTask { Job = name, Generation = 1, Index = 0 }, new JobTask { Job = name, Generation = 1, Index = 1 }], default);
        }
        await _store.UpdateJobStatusAsync(job, default);
    }

    /// <summary>The daemon's pipeline as it registers it, over this test's store, scheduler, object store and clock.</summary>
    private JobReconciler Pipeline(IObjectStore objects)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IStateStore>(_store);
        services.AddSingleton<IScheduler>(_scheduler);
        services.AddSingleton(objects);
        services.AddSingleton(_options);
        services.AddSingleton(_metrics);
        services.AddSingleton<TimeProvider>(_time);
        services.AddJobControllers();
        var provider = services.BuildServiceProvider();
        return new JobReconciler(_store, provider.GetServices<IJobController>(), _options, _metrics, NullLogger<JobReconciler>.Instance, _time, _scheduler,
            provider.GetServices<IJobMemory>());
    }

    /// <summary>An object store that cannot be reached: every call fails as a lost connection does.</summary>
    private sealed class UnreachableStore : IObjectStore
    {
        public Task<ObjectInfo?> HeadAsync(Uri uri, CancellationToken ct) => throw Down(uri);
        public IAsyncEnumerable<ObjectInfo> ListAsync(Uri prefix, CancellationToken ct) => throw Down(prefix);
        public Task<Stream> OpenReadAsync(Uri uri, CancellationToken ct, long offset = 0, long? length = null) => throw Down(uri);
        public Task<IObjectWriter> OpenWriteAsync(Uri uri, CancellationToken ct) => throw Down(uri);
        public Task DeleteAsync(Uri uri, CancellationToken ct) => throw Down(uri);

        private static IOException Down(Uri uri) => new($"connection reset reaching {uri}");
    }
}
