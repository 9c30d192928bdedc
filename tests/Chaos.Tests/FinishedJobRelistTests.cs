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

    /// <summary>
    /// `coordinator cancel` run while no daemon runs, on a host where Slurm does not answer: the CLI writes Cancelled and
    /// its reconcileRequestedAt stamp but cannot scancel, so the batch stays in Slurm. Its worker is stopped (SIGSTOP,
    /// by its handler), so no heartbeat writes a task record that would wake a daemon: only the cancel itself can.
    /// The next daemon must take the finished job by its unobserved stamp (or its stream checkpoint) and scancel it.
    /// </summary>
    [SkippableFact]
    public async Task A_cancel_made_while_no_daemon_runs_and_slurm_is_unreachable_from_the_cli_is_carried_out_by_the_next_daemon()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("relist-cancel");
        await stack.InitAsync();
        var settings = new Dictionary<string, string?> { ["COORDINATOR_DAEMON__LEADERELECTION__IDENTITY"] = $"{stack.Prefix}-head" };
        var daemon = stack.StartDaemon("daemon-0", settings);
        var job = stack.JobName("sleeper");
        var pidFile = Path.Combine(stack.Work, "worker.pid");
        await ChaosJobs.SubmitAsync(stack, job, ChaosJobs.Records(job, 2, new Random(ChaosMode.Seed)), maxRecords: 100, spec =>
        {
            spec["handler"]!["M"]!["command"] = L(S("sh"), S("-c"), S($"cat >/dev/null; echo $PPID > '{pidFile}.tmp'; mv '{pidFile}.tmp' '{pidFile}'; kill -STOP $PPID; sleep 120"));
            spec["handler"]!["M"]!["timeout"] = S("5m");
        });
        await stack.WaitForAllAsync([job], TimeSpan.FromMinutes(2), ["Running"]);
        for (var i = 0; i < 120 && !File.Exists(pidFile); i++)
        {
            await Task.Delay(500);
        }
        var workerPid = File.ReadAllText(pidFile).Trim();
        try
        {
            await CancelWhileNoDaemonRunsAsync(stack, job, settings, daemon);
        }
        finally
        {
            await ProcessRunner.RunAsync("kill", ["-CONT", workerPid], stack.Settings, TimeSpan.FromSeconds(30));
        }
    }

    private async Task CancelWhileNoDaemonRunsAsync(ChaosStack stack, string job, Dictionary<string, string?> settings, DaemonHandle daemon)
    {
        Assert.NotEmpty(await SlurmJobsAsync(job));

        daemon.Kill();
        var unreachable = Directory.CreateDirectory(Path.Combine(stack.Work, "no-slurm")).FullName;
        foreach (var command in new[] { "squeue", "scancel" })
        {
            var path = Path.Combine(unreachable, command);
            File.WriteAllText(path, "#!/bin/sh\necho 'slurm_load_jobs error: Unable to contact slurm controller' >&2\nexit 1\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        var cli = new Dictionary<string, string?>(stack.Settings) { ["PATH"] = $"{unreachable}:{stack.Settings["PATH"]}" };
        var cancel = await ProcessRunner.RunAsync(ChaosStack.Executable, ["cancel", job], cli, TimeSpan.FromMinutes(1));
        var item = await ItemAsync(stack, job);
        Assert.True(ChaosStack.Phase(item["status"].M) == "Cancelled" && item.ContainsKey("reconcileRequestedAt"),
            $"the CLI did not write the cancel (exit {cancel.ExitCode}): {cancel.StandardError}");
        var stamp = item["reconcileRequestedAt"].S;
        Assert.NotEmpty(await SlurmJobsAsync(job)); // the CLI could not cancel it

        var restarted = Stopwatch.StartNew();
        daemon = stack.StartDaemon("daemon-1", settings);
        var limit = TimeSpan.FromSeconds(60);
        bool cancelled;
        string observed;
        do
        {
            await Task.Delay(1000);
            cancelled = stack.SlurmControlCalls().Any(c => c.Command == "scancel" && c.Daemon == "daemon-1" && c.ExitCode == 0);
            observed = ChaosStack.Text((await stack.StatusAsync(job))!, "observedReconcileRequest");
        }
        while ((!cancelled || observed != stamp) && restarted.Elapsed < limit);
        var settledAfter = restarted.Elapsed;
        Assert.True(cancelled && observed == stamp,
            $"{settledAfter.TotalSeconds:F0} s after the restart: scancel by the new daemon: {cancelled}; Slurm still has [{string.Join(", ", await SlurmJobsAsync(job))}]; "
            + $"observed stamp '{observed}' (item: '{stamp}')\nlast daemon lines:\n{daemon.Tail()}");
        Assert.Equal("Cancelled", ChaosStack.Phase(await stack.StatusAsync(job)));
        Figures.Record(output, nameof(FinishedJobRelistTests) + ".Cancel",
            $"cliExit={cancel.ExitCode} settledAfterRestart={settledAfter.TotalSeconds:F1}s load={File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static async Task<Dictionary<string, AttributeValue>> ItemAsync(ChaosStack stack, string job) =>
        (await stack.Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = stack.JobsTable,
            Key = new() { ["name"] = new AttributeValue { S = job } },
            ConsistentRead = true,
        })).Item;

    /// <summary>Slurm job ids (array elements included) still queued or running under the job's name.</summary>
    private static async Task<List<string>> SlurmJobsAsync(string job)
    {
        var squeue = await ProcessRunner.RunAsync("squeue", ["-h", "-n", job, "-o", "%i"], null, TimeSpan.FromSeconds(30));
        squeue.EnsureSuccess("squeue");
        return [.. squeue.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
