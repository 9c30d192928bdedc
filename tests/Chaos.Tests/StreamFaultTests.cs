using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Coordinator.Aws;
using Coordinator.Aws.DynamoDb;
using Coordinator.Aws.Streams;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.Feed;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// The real change feed on moto's real streams, read through <see cref="FaultyStreams"/>: expired iterators, trimmed
/// data (which must trigger a relist) and shards that read as closed. Jobs are put at random moments meanwhile; every
/// one of them must reach the work queue.
/// </summary>
public sealed class StreamFaultTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task With_expired_iterators_trimmed_data_and_closed_shards_no_job_put_is_missed()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        var random = new Random(ChaosMode.Seed);
        var jobCount = ChaosMode.Pick(30, 120);
        await using var stack = new ChaosStack("strm");
        await stack.InitAsync();
        var options = new CoordinatorOptions { JobsTable = stack.JobsTable, TasksTable = stack.TasksTable, EndpointUrl = stack.Endpoint, Region = "us-east-1" };
        using var metrics = new CoordinatorMetrics();
        using var client = new AmazonDynamoDBClient(new BasicAWSCredentials("test", "test"),
            new AmazonDynamoDBConfig { ServiceURL = stack.Endpoint, AuthenticationRegion = "us-east-1" });
        var store = new DynamoStateStore(client, options, metrics);
        using var real = new DynamoDbStreamsClient(new AwsClientFactory(options), new BasicAWSCredentials("test", "test"));
        var streams = new FaultyStreams(real, ChaosMode.Pick(0.3, 0.3), random.Next());
        var feed = new ChangeFeed(store, streams, client, options,
            new FeedOptions { MinPollInterval = TimeSpan.FromMilliseconds(50), MaxErrorBackoff = TimeSpan.FromSeconds(1) }, metrics, NullLoggerFactory.Instance);
        using var queue = new WorkQueue<JobKey>(RateLimiters.Default<JobKey>(new WorkQueueOptions(), TimeProvider.System), CoordinatorMetrics.NoOp());
        using var stop = new CancellationTokenSource();
        var firstList = new TaskCompletionSource();
        var running = feed.RunAsync(queue, firstList, stop.Token);
        var seen = new ConcurrentDictionary<string, int>();
        var taking = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var (ok, key) = await queue.GetAsync(stop.Token).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : (false, default!), TaskScheduler.Default);
                if (!ok)
                {
                    return;
                }
                seen.AddOrUpdate(key.Name, 1, (_, n) => n + 1);
                queue.Done(key);
            }
        });
        await firstList.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var names = Enumerable.Range(0, jobCount).Select(i => $"job-{i:000}").ToList();
        foreach (var name in names)
        {
            await client.PutItemAsync(stack.JobsTable, new Dictionary<string, AttributeValue>
            {
                ["name"] = new() { S = name },
                ["spec"] = new() { M = new() { ["input"] = new() { M = new() { ["uri"] = new() { S = "s3://in/" } } } } },
            });
            await Task.Delay(random.Next(0, 600));
        }
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (names.Any(n => !seen.ContainsKey(n)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        await stop.CancelAsync();
        await running;
        await taking;

        var missed = names.Where(n => !seen.ContainsKey(n)).ToList();
        var faults = $"reads={streams.Reads} expired={streams.Expired} trimmed={streams.Trimmed} closed={streams.Closed}";
        Assert.True(missed.Count == 0, $"{missed.Count} of {jobCount} jobs never reached the queue ({faults}): {string.Join(", ", missed)}");
        Assert.True(streams.Expired > 0 && streams.Trimmed > 0 && streams.Closed > 0, faults);
        Figures.Record(output, nameof(StreamFaultTests), $"jobs={jobCount} missed=0 {faults} enqueued={seen.Values.Sum()}");
    }
}
