using Coordinator.Aws.DynamoDb;
using Coordinator.Controllers.Metrics;
using Coordinator.Integration.Tests.State;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Feed;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Coordinator.Testing.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Integration.Tests.Streams;

/// <summary>The change feed against the real streams of moto and DynamoDB Local.</summary>
public sealed class ChangeFeedTests
{
    private static readonly FeedOptions Fast = new() { MinPollInterval = TimeSpan.FromMilliseconds(50) };

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task Lists_active_jobs_then_enqueues_job_edits_and_task_owners_but_not_its_own_status_writes(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        using var recorder = new MeterRecorder(metrics.Meter);
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutJobSpecAsync(DynamoStateStoreTests.NewJob("existing", "s3://in/"), false, default);
        using var streams = DynamoDbStreamsClientContractTests.NewClient(backend);
        var feed = new ChangeFeed(store, streams, backend.Client, backend.Options, Fast, metrics, NullLoggerFactory.Instance);
        using var queue = new WorkQueue<JobKey>(RateLimiters.Default<JobKey>(new WorkQueueOptions(), TimeProvider.System), CoordinatorMetrics.NoOp());
        var firstList = new TaskCompletionSource();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = feed.RunAsync(queue, firstList, stop.Token);

        await firstList.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("existing", (await TakeAsync(queue)).Name);

        await store.PutJobSpecAsync(DynamoStateStoreTests.NewJob("new-job", "s3://in/"), false, default);
        await TakeUntilAsync(queue, "new-job", relisted: ["existing"]);

        var job = (await store.GetJobAsync("new-job", default))!;
        job.Status.Message = "status only";
        await store.UpdateJobStatusAsync(job, default);
        await store.PutTasksAsync([new JobTask { Job = "owner", Index = 0, Generation = 1, InputKey = "k" }], default);
        await TakeUntilAsync(queue, "owner", relisted: ["existing", "new-job"]);
        var relists = recorder.Total("coordinator.feed.relists");
        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var (late, key) = await queue.GetAsync(quiet.Token);
        Assert.False(late && recorder.Total("coordinator.feed.relists") == relists, $"{key} was enqueued with no change and no relist");

        await stop.CancelAsync();
        await running;
    }

    /// <summary>
    /// Takes keys until <paramref name="expected"/>. A relist (DynamoDB Local answers the first read of a fresh shard with
    /// TrimmedDataAccessException, which rightly triggers one) may enqueue active jobs again; anything else fails.
    /// </summary>
    private static async Task TakeUntilAsync(WorkQueue<JobKey> queue, string expected, string[] relisted)
    {
        while (true)
        {
            var key = await TakeAsync(queue);
            if (key.Name == expected)
            {
                return;
            }
            Assert.Contains(key.Name, relisted);
        }
    }

    private static async Task<JobKey> TakeAsync(WorkQueue<JobKey> queue)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var (ok, key) = await queue.GetAsync(timeout.Token);
        Assert.True(ok, "nothing was enqueued within 15 s");
        queue.Done(key);
        return key;
    }
}
