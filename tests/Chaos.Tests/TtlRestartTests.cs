using System.Diagnostics;
using Amazon.DynamoDBv2.Model;
using Amazon.S3.Model;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// ttlAfterFinished across restarts (issue 15, path 2): a job that finished with a 30 s TTL is still deleted — its
/// item, its task items and its objects under jobs/{name}/ — when the daemon that saw it finish was kill -9ed and a
/// second daemon was killed too, both inside the TTL, so only a third daemon, which never saw the job finish, is
/// running when it expires. The job's output (the user's) stays.
/// </summary>
public sealed class TtlRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task A_finished_jobs_ttl_survives_two_daemon_restarts_and_deletes_its_items_and_objects()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("ttl");
        await stack.InitAsync();
        var settings = new Dictionary<string, string?>
        {
            ["COORDINATOR_DAEMON__LEADERELECTION__IDENTITY"] = $"{stack.Prefix}-head",
            // The sweep for due jobs runs every 5 s here (default 30 s), so the test waits little past the TTL.
            ["COORDINATOR_DAEMON__FEED__EXPIRYSWEEPINTERVAL"] = "00:00:05",
        };
        var daemon = stack.StartDaemon("daemon-0", settings);
        var job = stack.JobName("j");
        var records = ChaosJobs.Records(job, 12, new Random(ChaosMode.Seed));
        await ChaosJobs.SubmitAsync(stack, job, records, maxRecords: 4, spec => spec["ttlAfterFinished"] = S("30s"));

        var final = (await stack.WaitForAllAsync([job], TimeSpan.FromMinutes(3), ["Succeeded", "Failed", "Invalid", "Cancelled"]))[job];
        var finished = Stopwatch.StartNew();
        Assert.Equal("Succeeded", ChaosStack.Phase(final));
        var compared = await ChaosJobs.AssertOutputEqualsInputAsync(stack, job, records, final);
        var objectsBefore = await ObjectsUnderAsync(stack, $"jobs/{job}/");
        var tasksBefore = (await stack.TaskItemsAsync(job)).Count;
        Assert.True(objectsBefore > 0 && tasksBefore > 0, $"{objectsBefore} objects, {tasksBefore} task items before the TTL");

        // Two restarts inside the TTL: the daemon that saw the job finish, then the next one, both kill -9ed.
        daemon.Kill();
        daemon = stack.StartDaemon("daemon-1", settings);
        await daemon.WaitForLineAsync("acquired the lease", TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromSeconds(5));
        daemon.Kill();
        daemon = stack.StartDaemon("daemon-2", settings);
        await daemon.WaitForLineAsync("acquired the lease", TimeSpan.FromMinutes(1));
        var restartsDoneAt = finished.Elapsed;
        Assert.True(restartsDoneAt < Ttl, $"the restarts took {restartsDoneAt.TotalSeconds:F1} s, past the {Ttl.TotalSeconds} s TTL");

        var limit = Ttl + TimeSpan.FromSeconds(45);
        bool gone;
        do
        {
            await Task.Delay(1000);
            gone = await ItemAsync(stack, job) is null;
        }
        while (!gone && finished.Elapsed < limit);
        var deletedAfter = finished.Elapsed;
        var objectsAfter = await ObjectsUnderAsync(stack, $"jobs/{job}/");
        var tasksAfter = (await stack.TaskItemsAsync(job)).Count;
        var outputsAfter = await ObjectsUnderAsync(stack, $"out/{job}/");
        Assert.True(gone, $"the job item is still there {deletedAfter.TotalSeconds:F0} s after it finished (TTL {Ttl.TotalSeconds} s): "
            + $"{ChaosStack.Describe(await stack.StatusAsync(job))}\nlast daemon lines:\n{daemon.Tail()}");
        Assert.Equal((0, 0), (objectsAfter, tasksAfter));
        Assert.True(outputsAfter > 0, "the job's output was deleted too");
        Assert.True(deletedAfter >= Ttl, $"deleted after {deletedAfter.TotalSeconds:F1} s, before the {Ttl.TotalSeconds} s TTL");
        Figures.Record(output, nameof(TtlRestartTests),
            $"ttl={Ttl.TotalSeconds:F0}s restartsDoneAt={restartsDoneAt.TotalSeconds:F1}s deletedAfter={deletedAfter.TotalSeconds:F1}s "
            + $"objectsBefore={objectsBefore} tasksBefore={tasksBefore} objectsAfter={objectsAfter} tasksAfter={tasksAfter} outputsKept={outputsAfter} "
            + $"recordsCompared={compared} load={File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static async Task<Dictionary<string, AttributeValue>?> ItemAsync(ChaosStack stack, string job)
    {
        var response = await stack.Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = stack.JobsTable,
            Key = new() { ["name"] = new AttributeValue { S = job } },
            ConsistentRead = true,
        });
        return response.Item is { Count: > 0 } item ? item : null;
    }

    private static async Task<int> ObjectsUnderAsync(ChaosStack stack, string prefix) =>
        (await stack.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = stack.Bucket, Prefix = prefix })).S3Objects?.Count ?? 0;
}
