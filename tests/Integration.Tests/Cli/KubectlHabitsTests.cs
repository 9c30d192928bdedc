using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Status;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>
/// What kubectl users reach for, as processes against moto: -o name, -o jsonpath=…, --no-headers, --field-selector,
/// get jobs -w, and the bulk forms of cancel/suspend/delete (several names, or -l SELECTOR; one failure does not stop
/// the rest and sets the exit code).
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class KubectlHabitsTests(LocalStackFixture fixture) : IAsyncLifetime
{
    private CliStack _cli = null!;

    public async Task InitializeAsync() => _cli = await CliStack.CreateAsync(fixture);

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Fact]
    public async Task Names_jsonpath_no_headers_and_field_selectors_print_what_scripts_need()
    {
        await _cli.SubmitRunningAsync("habit-run");
        (await _cli.RunAsync("submit", "-f", await _cli.JobFileAsync("habit-new"))).EnsureSuccess();

        var names = (await _cli.RunAsync("get", "jobs", "-o", "name")).EnsureSuccess().StandardOutput;
        Assert.Equal("job/habit-new\njob/habit-run\n", names);

        var running = (await _cli.RunAsync("get", "jobs", "--field-selector", "status.phase=Running", "-o", "name")).EnsureSuccess().StandardOutput;
        Assert.Equal("job/habit-run\n", running);
        var notRunning = (await _cli.RunAsync("get", "jobs", "--field-selector", "status.phase!=running,metadata.name!=nope", "-o", "name"))
            .EnsureSuccess().StandardOutput;
        Assert.Equal("job/habit-new\n", notRunning);

        var jsonpath = (await _cli.RunAsync("get", "jobs", "-o", "jsonpath={.items[*].name}")).EnsureSuccess().StandardOutput;
        Assert.Equal("habit-new habit-run\n", jsonpath);
        var phase = (await _cli.RunAsync("get", "job", "habit-run", "-o", "jsonpath={.name}: {.status.phase}{\"\\n\"}")).EnsureSuccess().StandardOutput;
        Assert.Equal("habit-run: Running\n\n", phase);
        var filtered = (await _cli.RunAsync("get", "jobs", "-o", "jsonpath={.items[?(@.status.phase=='Running')].name}")).EnsureSuccess().StandardOutput;
        Assert.Equal("habit-run\n", filtered);

        var table = (await _cli.RunAsync("get", "jobs")).EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var bare = (await _cli.RunAsync("get", "jobs", "--no-headers")).EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("NAME", table[0], StringComparison.Ordinal);
        Assert.Equal(table.Length - 1, bare.Length);
        Assert.All(bare, row => Assert.StartsWith("habit-", row, StringComparison.Ordinal));

        var tasks = (await _cli.RunAsync("tasks", "habit-run", "-o", "name")).EnsureSuccess().StandardOutput;
        Assert.Equal("", tasks); // no task items yet: nothing, not a sentence on stdout
        await _cli.PutTasksAsync("habit-run", "4242");
        Assert.Equal("task/habit-run/0\ntask/habit-run/1\ntask/habit-run/2\n", (await _cli.RunAsync("tasks", "habit-run", "-o", "name")).EnsureSuccess().StandardOutput);
        Assert.Equal("Failed\n", (await _cli.RunAsync("tasks", "habit-run", "-o", "jsonpath={.items[1].state}")).EnsureSuccess().StandardOutput);
    }

    [Fact]
    public async Task Bad_selectors_and_templates_are_usage_errors_that_say_what_is_wrong()
    {
        var field = await _cli.RunAsync("get", "jobs", "--field-selector", "spec.handler=x");
        Assert.Equal(2, field.ExitCode);
        Assert.Contains("unknown field \"spec.handler\"; jobs have metadata.name, status.phase", field.StandardError, StringComparison.Ordinal);

        var template = await _cli.RunAsync("get", "jobs", "-o", "jsonpath={range .items[*]}{.name}{end}");
        Assert.Equal(2, template.ExitCode);
        Assert.Contains("{range}/{end} are not supported; use -o json and jq", template.StandardError, StringComparison.Ordinal);

        var unclosed = await _cli.RunAsync("get", "jobs", "-o", "jsonpath={.items");
        Assert.Equal(2, unclosed.ExitCode);
        Assert.Contains("unclosed {", unclosed.StandardError, StringComparison.Ordinal);

        var both = await _cli.RunAsync("cancel", "a-job", "-l", "team=nlp");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("give job names or -l SELECTOR, not both", both.StandardError, StringComparison.Ordinal);
        var none = await _cli.RunAsync("delete");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("give one or more job names, or -l SELECTOR", none.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bulk_verbs_act_on_several_names_or_a_selector_and_one_failure_does_not_stop_the_rest()
    {
        await _cli.SubmitRunningAsync("bulk-a", "{team: bulk}");
        await _cli.SubmitRunningAsync("bulk-b", "{team: bulk}");
        await _cli.SubmitRunningAsync("bulk-c", "{team: other}");

        var suspended = await _cli.RunAsync("suspend", "bulk-a", "bulk-b");
        Assert.True(suspended.ExitCode == 0, suspended.ToString());
        foreach (var name in (string[])["bulk-a", "bulk-b"])
        {
            Assert.True((await _cli.State.GetJobAsync(name, default))!.Spec.Suspend, name);
        }
        Assert.False((await _cli.State.GetJobAsync("bulk-c", default))!.Spec.Suspend);

        var cancelled = await _cli.RunAsync("cancel", "-l", "team=bulk");
        Assert.True(cancelled.ExitCode == 0, cancelled.ToString());
        Assert.Equal(2, cancelled.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var nothing = await _cli.RunAsync("cancel", "-l", "team=nobody");
        Assert.Equal(0, nothing.ExitCode);
        Assert.Contains("no jobs match -l team=nobody", nothing.StandardError, StringComparison.Ordinal);

        var deleted = await _cli.RunAsync("delete", "bulk-a", "no-such-job", "bulk-c");
        Assert.Equal(1, deleted.ExitCode);
        Assert.Contains("job \"no-such-job\" not found", deleted.StandardError, StringComparison.Ordinal);
        Assert.Contains("job \"bulk-a\" deleted", deleted.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("job \"bulk-c\" deleted", deleted.StandardOutput, StringComparison.Ordinal);
        Assert.Null(await _cli.State.GetJobAsync("bulk-a", default));
        Assert.Null(await _cli.State.GetJobAsync("bulk-c", default));
        Assert.NotNull(await _cli.State.GetJobAsync("bulk-b", default));
    }

    [Fact]
    public async Task Events_lists_what_the_daemon_recorded_on_the_job_oldest_first()
    {
        var job = await _cli.SubmitRunningAsync("eventful");
        Assert.Contains("No events on job \"eventful\"", (await _cli.RunAsync("events", "eventful")).EnsureSuccess().StandardError, StringComparison.Ordinal);
        var now = DateTimeOffset.UtcNow;
        job.Status.Events.Add(new JobEvent { Type = JobEventTypes.Warning, Reason = "ReconcileError", Message = "S3 said 503", Count = 4,
            FirstTimestamp = now.AddMinutes(-10), LastTimestamp = now.AddMinutes(-1) });
        job.Status.Events.Add(new JobEvent { Type = JobEventTypes.Normal, Reason = "Dispatched", Message = "sbatch 4242", Count = 1,
            FirstTimestamp = now.AddMinutes(-5), LastTimestamp = now.AddMinutes(-5) });
        await _cli.State.UpdateJobStatusAsync(job, default);

        var table = (await _cli.RunAsync("events", "eventful")).EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, table.Length);
        Assert.StartsWith("TYPE", table[0], StringComparison.Ordinal);
        Assert.Contains("Dispatched", table[1], StringComparison.Ordinal); // oldest last-seen first
        Assert.Contains("ReconcileError", table[2], StringComparison.Ordinal);
        Assert.Contains("(x4 over 9m", table[2], StringComparison.Ordinal);
        Assert.Equal("4\n", (await _cli.RunAsync("events", "eventful", "-o", "jsonpath={.items[?(@.reason=='ReconcileError')].count}")).EnsureSuccess().StandardOutput);
        var described = (await _cli.RunAsync("describe", "job", "eventful")).EnsureSuccess().StandardOutput;
        Assert.Contains("S3 said 503", described, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_follow_prints_what_the_task_appends_and_stops_when_the_attempt_ends()
    {
        await _cli.SubmitRunningAsync("followed");
        await _cli.PutTasksAsync("followed", "4343");
        var task = (await _cli.State.GetTaskAsync("followed", 2, default))!;
        var (stdout, stderr) = Coordinator.Reconciler.Cli.LogFiles.For(_cli.LogDirectory, "followed", task);
        Directory.CreateDirectory(Path.GetDirectoryName(stdout)!);
        await File.WriteAllTextAsync(stdout, "worker: started\n");
        await File.WriteAllTextAsync(stderr, "");
        using var follow = DaemonHandle.Start("logs-f", CoordinatorCli.ExecutablePath, ["logs", "followed", "--batch", "2", "-f", .. _cli.Settings],
            new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = fixture.EndpointUrl });
        await follow.WaitForLineAsync("worker: started", TimeSpan.FromSeconds(30));

        await File.AppendAllTextAsync(stderr, "handler: 50% done\n");
        await follow.WaitForLineAsync("handler: 50% done", TimeSpan.FromSeconds(30));
        await File.AppendAllTextAsync(stdout, "worker: batch 2 uploaded\n");
        await follow.WaitForLineAsync("worker: batch 2 uploaded", TimeSpan.FromSeconds(30));
        Assert.False(follow.HasExited, follow.Output);

        task.State = Coordinator.Model.Tasks.TaskState.Succeeded;
        task.FinishedAt = DateTimeOffset.UtcNow;
        task.ExitCode = 0;
        await _cli.State.UpdateTaskAsync(task, default);
        await follow.WaitForLineAsync("stopped following batch 2", TimeSpan.FromSeconds(30));
        for (var waited = 0; waited < 100 && !follow.HasExited; waited++)
        {
            await Task.Delay(100);
        }
        Assert.Equal(0, follow.ExitCode);
        var lines = follow.Lines.Select(l => l.Line).ToList();
        Assert.True(lines.IndexOf("handler: 50% done") < lines.IndexOf("worker: batch 2 uploaded"), follow.Output);
        // Switching back to stdout after stderr output is headed again, as tail -f does.
        Assert.StartsWith("==> stdout:", lines[lines.IndexOf("worker: batch 2 uploaded") - 1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Templates_are_listed_described_and_deleted_only_when_no_unfinished_job_names_them()
    {
        var template = Path.Combine(_cli.Work, "base-cpu.yaml");
        await File.WriteAllTextAsync(template, """
            apiVersion: coordinator/v1
            kind: JobTemplate
            metadata:
              name: base-cpu
              labels: {tier: cpu}
            spec:
              batching: {maxRecords: 25}
              handler: {command: [python3, handler.py], timeout: 5m}
            """);
        (await _cli.RunAsync("submit", "-f", template)).EnsureSuccess();
        var job = Path.Combine(_cli.Work, "uses-base.yaml");
        await File.WriteAllTextAsync(job, $$"""
            apiVersion: coordinator/v1
            kind: Job
            metadata: {name: uses-base}
            spec:
              template: base-cpu
              input: {uri: "s3://{{_cli.Bucket}}/in/uses-base/"}
              output: {uri: "s3://{{_cli.Bucket}}/out/uses-base/"}
            """);
        (await _cli.RunAsync("submit", "-f", job)).EnsureSuccess();

        var list = (await _cli.RunAsync("get", "templates")).EnsureSuccess().StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, list.Length);
        Assert.Matches(@"^base-cpu\s+1\s+tier=cpu$", list[1]);
        Assert.Equal("template/base-cpu\n", (await _cli.RunAsync("get", "templates", "-o", "name")).EnsureSuccess().StandardOutput);
        Assert.DoesNotContain("base-cpu", (await _cli.RunAsync("get", "jobs", "-o", "name")).EnsureSuccess().StandardOutput, StringComparison.Ordinal);

        var described = (await _cli.RunAsync("describe", "template", "base-cpu")).EnsureSuccess().StandardOutput;
        Assert.Contains("Used by:  uses-base (Pending)", described, StringComparison.Ordinal);
        Assert.Contains("maxRecords: 25", described, StringComparison.Ordinal);

        var refused = await _cli.RunAsync("delete", "template", "base-cpu");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("is named by unfinished job(s) uses-base", refused.StandardError, StringComparison.Ordinal);
        Assert.NotNull(await TemplateAsync());
        Assert.Contains("template \"base-cpu\" deleted", (await _cli.RunAsync("delete", "template", "base-cpu", "--force")).EnsureSuccess().StandardOutput,
            StringComparison.Ordinal);
        Assert.Null(await TemplateAsync());
        var gone = await _cli.RunAsync("describe", "template", "base-cpu");
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("template \"base-cpu\" not found", gone.StandardError, StringComparison.Ordinal);

        async Task<object?> TemplateAsync() => await Coordinator.Reconciler.Cli.Spec.TemplateStore.GetAsync(_cli.Stack.DynamoDb, _cli.Stack.Options.JobsTable, "base-cpu", default);
    }

    [Fact]
    public async Task Get_jobs_watch_prints_a_row_again_when_a_job_changes()
    {
        var job = await _cli.SubmitRunningAsync("watched");
        using var watch = DaemonHandle.Start("get-jobs-w", CoordinatorCli.ExecutablePath, ["get", "jobs", "-w", .. _cli.Settings],
            new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = fixture.EndpointUrl, ["COLUMNS"] = null });
        await watch.WaitForLineAsync("watched", TimeSpan.FromSeconds(30));
        Assert.Single(watch.Lines, l => l.Line.StartsWith("NAME", StringComparison.Ordinal));

        job.Status.Phase = JobPhase.Succeeded;
        job.Status.CompletedAt = DateTimeOffset.UtcNow;
        await _cli.State.UpdateJobStatusAsync(job, default);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!watch.Lines.Any(l => l.Line.Contains("Succeeded", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }
        Assert.True(watch.Lines.Any(l => l.Line.StartsWith("watched", StringComparison.Ordinal) && l.Line.Contains("Succeeded", StringComparison.Ordinal)),
            "no new row after the change:\n" + watch.Output);
        Assert.Single(watch.Lines, l => l.Line.StartsWith("NAME", StringComparison.Ordinal)); // rows only, no second header
        Assert.False(watch.HasExited, watch.Output);
    }
}
