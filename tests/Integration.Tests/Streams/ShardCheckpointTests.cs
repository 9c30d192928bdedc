using Coordinator.Aws.DynamoDb;
using Coordinator.Aws.Streams;
using Coordinator.Controllers.Metrics;
using Coordinator.Integration.Tests.State;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Feed;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Coordinator.Testing.State;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Integration.Tests.Streams;

/// <summary>Shard checkpoints in the leases table, and a feed resuming after them, on moto and DynamoDB Local.</summary>
public sealed class ShardCheckpointTests
{
    private static readonly FeedOptions Fast = new() { MinPollInterval = TimeSpan.FromMilliseconds(50), CheckpointInterval = TimeSpan.FromMilliseconds(100) };

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task A_checkpoint_is_written_only_by_a_leader_that_may_act_and_never_over_a_newer_terms(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var guard = new FixedLeadership(2);
        var checkpoints = new DynamoShardCheckpoints(backend.Client, backend.Options, guard, metrics);

        Assert.True(await checkpoints.SaveAsync(StreamTable.Jobs, "arn:1", "shard-a", "100", default));
        guard.Term = 1; // a deposed leader of an older term
        Assert.False(await checkpoints.SaveAsync(StreamTable.Jobs, "arn:1", "shard-a", "200", default));
        guard.Term = 3;
        guard.MayAct = false; // the lease is lost, or too little of it is left
        Assert.False(await checkpoints.SaveAsync(StreamTable.Jobs, "arn:1", "shard-a", "300", default));
        guard.MayAct = true;
        Assert.True(await checkpoints.SaveAsync(StreamTable.Tasks, "arn:2", "shard-a", "7", default));

        Assert.Equal(new Dictionary<string, string> { ["shard-a"] = "100" },
            await checkpoints.LoadAsync(StreamTable.Jobs, "arn:1", ["shard-a", "shard-b"], default));
        Assert.Empty(await checkpoints.LoadAsync(StreamTable.Jobs, "arn:other", ["shard-a"], default)); // the table was re-created
        Assert.Equal("7", (await checkpoints.LoadAsync(StreamTable.Tasks, "arn:2", ["shard-a"], default))["shard-a"]);
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task A_second_feed_resumes_after_the_first_ones_checkpoint_and_delivers_what_was_written_while_none_ran(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        using var streams = DynamoDbStreamsClientContractTests.NewClient(backend);
        var checkpoints = new DynamoShardCheckpoints(backend.Client, backend.Options, new FixedLeadership(1), metrics);

        // Task records name an owner that has no job item, so only the stream (never the list) can enqueue them.
        await using (var first = await FeedAsync(store, streams, backend, metrics, checkpoints))
        {
            await store.PutTasksAsync([new JobTask { Job = "owner-a", Index = 0, Generation = 1, InputKey = "k" }], default);
            await first.TakeUntilAsync("owner-a");
            await WaitForCheckpointAsync(streams, backend, checkpoints);
        }

        await store.PutTasksAsync([new JobTask { Job = "owner-b", Index = 0, Generation = 1, InputKey = "k" }], default);
        await using var second = await FeedAsync(store, streams, backend, metrics, checkpoints);
        await second.TakeUntilAsync("owner-b");
    }

    private static async Task WaitForCheckpointAsync(DynamoDbStreamsClient streams, DynamoBackend backend, DynamoShardCheckpoints checkpoints)
    {
        var arn = (await backend.Client.DescribeTableAsync(backend.Options.TasksTable)).Table.LatestStreamArn;
        var shards = (await streams.DescribeStreamAsync(arn, null, 100, default)).Shards.Select(s => s.ShardId).ToList();
        for (var i = 0; i < 100; i++)
        {
            if ((await checkpoints.LoadAsync(StreamTable.Tasks, arn, shards, default)).Count > 0)
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail("no checkpoint of the tasks stream within 10 s");
    }

    private static async Task<RunningFeed> FeedAsync(DynamoStateStore store, DynamoDbStreamsClient streams, DynamoBackend backend,
        CoordinatorMetrics metrics, DynamoShardCheckpoints checkpoints)
    {
        var feed = new ChangeFeed(store, streams, backend.Client, backend.Options, Fast, metrics, NullLoggerFactory.Instance, checkpoints: checkpoints);
        var queue = new WorkQueue<JobKey>(RateLimiters.Default<JobKey>(new WorkQueueOptions(), TimeProvider.System), CoordinatorMetrics.NoOp());
        var firstList = new TaskCompletionSource();
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var running = feed.RunAsync(queue, firstList, stop.Token);
        await firstList.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new RunningFeed(queue, stop, running);
    }

    private sealed class RunningFeed(WorkQueue<JobKey> queue, CancellationTokenSource stop, Task running) : IAsyncDisposable
    {
        public async Task TakeUntilAsync(string expected)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var seen = new List<string>();
            while (true)
            {
                var (ok, key) = await queue.GetAsync(timeout.Token);
                Assert.True(ok, $"{expected} was not enqueued within 20 s; got {string.Join(",", seen)}");
                queue.Done(key);
                if (key.Name == expected)
                {
                    return;
                }
                seen.Add(key.Name);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await running;
            stop.Dispose();
            queue.Dispose();
        }
    }
}
