using System.Diagnostics;
using Amazon.DynamoDBv2.Model;
using Coordinator.Testing.Processes;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Changes made to finished jobs while no daemon follows the stream (issue 15, path 1): the leader is kill -9ed after
/// two jobs finished, then a user runs `coordinator retry` on the Failed one and edits the spec of the Succeeded one
/// (a new batch size: a new generation), with no daemon running. The next daemon's start relist must take both:
/// the failed batch is redriven (the job ends Succeeded), the edited job runs its second generation.
/// </summary>
public sealed class FinishedJobRelistTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Retry_and_spec_edit_of_finished_jobs_made_while_no_daemon_runs_are_acted_on_by_the_next_daemon()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("relist");
        await stack.InitAsync();
        var settings = new Dictionary<string, string?> { ["COORDINATOR_DAEMON__LEADERELECTION__IDENTITY"] = $"{stack.Prefix}-head" };
        var daemon = stack.StartDaemon("daemon-0", settings);
        var redrive = stack.JobName("redrive");
        var edited = stack.JobName("edited");
        var random = new Random(ChaosMode.Seed);
        var redriveRecords = ChaosJobs.Records(redrive, 3, new Random(random.Next()));
        var editedRecords = ChaosJobs.Records(edited, 8, new Random(random.Next()));
        var marker = Path.Combine(stack.Work, "failed-once");
        await ChaosJobs.SubmitAsync(stack, redrive, redriveRecords, maxRecords: 100, spec =>
        {
            // One batch that fails on its first run (leaving a marker) and succeeds once redriven.
            spec["retry"]!["M"]!["maxAttempts"] = N(1);
            spec["handler"]!["M"]!["command"] = L(S("sh"), S("-c"), S($"if [ -e '{marker}' ]; then cat; else touch '{marker}'; exit 3; fi"));
        });
        await ChaosJobs.SubmitAsync(stack, edited, editedRecords, maxRecords: 4);
        var first = await stack.WaitForAllAsync([redrive, edited], TimeSpan.FromMinutes(3), ["Succeeded", "Failed", "Invalid", "Cancelled"]);
        Assert.Equal(("Failed", "Succeeded"), (ChaosStack.Phase(first[redrive]), ChaosStack.Phase(first[edited])));
        Assert.Equal("1", ChaosStack.Text(first[edited], "observedGeneration"));

        daemon.Kill();
        var retry = await ProcessRunner.RunAsync(ChaosStack.Executable, ["retry", redrive], stack.Settings, TimeSpan.FromMinutes(1));
        retry.EnsureSuccess("coordinator retry");
        await stack.Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = stack.JobsTable,
            Key = new() { ["name"] = new AttributeValue { S = edited } },
            UpdateExpression = "SET #spec.#batching.#max = :max",
            ExpressionAttributeNames = new() { ["#spec"] = "spec", ["#batching"] = "batching", ["#max"] = "maxRecords" },
            ExpressionAttributeValues = new() { [":max"] = new AttributeValue { N = "3" } },
        });
        var restarted = Stopwatch.StartNew();
        daemon = stack.StartDaemon("daemon-1", settings);

        var limit = TimeSpan.FromSeconds(90);
        Dictionary<string, AttributeValue>? redriveStatus, editedStatus;
        bool done;
        do
        {
            await Task.Delay(1000);
            redriveStatus = await stack.StatusAsync(redrive);
            editedStatus = await stack.StatusAsync(edited);
            done = ChaosStack.Phase(redriveStatus) == "Succeeded"
                && ChaosStack.Phase(editedStatus) == "Succeeded" && ChaosStack.Text(editedStatus!, "observedGeneration") == "2";
        }
        while (!done && restarted.Elapsed < limit);
        var settledAfter = restarted.Elapsed;
        Assert.True(done, $"{settledAfter.TotalSeconds:F0} s after the restart: {redrive}: {ChaosStack.Describe(redriveStatus)}\n"
            + $"{edited}: {ChaosStack.Describe(editedStatus)}\nlast daemon lines:\n{daemon.Tail()}");
        var compared = await ChaosJobs.AssertOutputEqualsInputAsync(stack, redrive, redriveRecords, redriveStatus!)
            + await ChaosJobs.AssertOutputEqualsInputAsync(stack, edited, editedRecords, editedStatus!);
        Assert.Equal(3, ChaosStack.Count(editedStatus!, "batches", "total")); // 8 records, 3 a batch
        Figures.Record(output, nameof(FinishedJobRelistTests),
            $"settledAfterRestart={settledAfter.TotalSeconds:F1}s recordsCompared={compared} load={File.ReadAllText("/proc/loadavg").Trim()}");
    }
}
