using System.Text;
using System.Text.Json;
using Amazon.S3.Model;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>
/// watch, logs and cancel on jobs a real daemon runs on the local Slurm: the CLI as a user lives with it. Kept to two
/// small jobs (2 batches of 10 records each) so the class stays fast.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class CliDaemonTests(LocalStackFixture fixture, SlurmFixture slurm) : IAsyncLifetime
{
    private CliStack _cli = null!;
    private DaemonHandle? _daemon;

    public async Task InitializeAsync()
    {
        _cli = await CliStack.CreateAsync(fixture);
        if (slurm.UnavailableReason is null)
        {
            _daemon = CliDaemon.Start(_cli, fixture.EndpointUrl);
        }
    }

    public async Task DisposeAsync()
    {
        _daemon?.Dispose();
        await ProcessRunner.RunAsync("bash", ["-c", "for j in $(squeue -h -o '%A %j' | awk '$2 ~ /^cli-(run|stop)-/ {print $1}'); do scancel $j; done"],
            timeout: TimeSpan.FromSeconds(30));
        await _cli.DisposeAsync();
    }

    private async Task<string> SubmitAsync(string name, string handler)
    {
        var input = new StringBuilder();
        for (var i = 0; i < 20; i++)
        {
            input.Append("{\"id\": ").Append(i).Append("}\n");
        }
        await _cli.Stack.S3.PutObjectAsync(new PutObjectRequest { BucketName = _cli.Bucket, Key = $"in/{name}/part-0.jsonl", ContentBody = input.ToString() });
        var file = await _cli.JobFileAsync(name, extra: $"  retry: {{maxAttempts: 1}}");
        (await _cli.RunAsync("submit", "-f", file, "--set", $"spec.handler.command=[python3, -c, \"{handler}\"]")).EnsureSuccess();
        return name;
    }

    private async Task WaitForPhaseAsync(string name, string phase, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var job = JsonDocument.Parse((await _cli.RunAsync("get", "job", name, "-o", "json")).EnsureSuccess().StandardOutput);
            last = job.RootElement.GetProperty("status").GetProperty("phase").GetString()!;
            if (last == phase)
            {
                return;
            }
            await Task.Delay(1000);
        }
        throw new TimeoutException($"{name} not {phase} after {limit} (last {last})\ndaemon:\n{_daemon?.Output}");
    }

    [Fact]
    public async Task Watch_follows_a_running_job_to_succeeded_and_exits_0_then_logs_prints_its_slurm_files()
    {
        slurm.Require();
        var name = await SubmitAsync($"cli-run-{Guid.NewGuid().ToString("N")[..6]}",
            "import sys; print('handler-stderr-marker', file=sys.stderr); sys.stdout.writelines(sys.stdin)");

        var watch = await _cli.RunAsync("watch", name, "--interval", "500ms", "--timeout", "4m");

        Assert.True(watch.ExitCode == 0, $"watch exited {watch.ExitCode}\n{watch.StandardOutput}\n{watch.StandardError}\ndaemon:\n{_daemon!.Output}");
        var lines = watch.StandardOutput.TrimEnd('\n').Split('\n');
        Assert.Matches(@"^\d\d:\d\d:\d\d Succeeded \[#+\] 2/2 batches", lines[^2]);
        Assert.StartsWith($"job \"{name}\" Succeeded: 2/2 batches, 20 records out to s3://{_cli.Bucket}/out/{name}/", lines[^1], StringComparison.Ordinal);
        Assert.Equal(lines.Length, lines.Distinct().Count()); // plain lines only when something changed

        var logs = await _cli.RunAsync("logs", name, "--batch", "1");
        Assert.True(logs.ExitCode == 0, $"{logs.StandardOutput}\n{logs.StandardError}");
        Assert.Matches($@"==> stdout: {_cli.LogDirectory}/{name}-\d+_1\.out <==\n", logs.StandardOutput);
        Assert.Matches($@"==> stderr: {_cli.LogDirectory}/{name}-\d+_1\.err <==\n", logs.StandardOutput);
        using var tasks = JsonDocument.Parse((await _cli.RunAsync("tasks", name, "-o", "json")).EnsureSuccess().StandardOutput);
        Assert.All(tasks.RootElement.GetProperty("items").EnumerateArray(), t => Assert.Equal("Succeeded", t.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Cancel_of_a_running_job_makes_watch_exit_5_and_leaves_nothing_of_it_in_slurm()
    {
        slurm.Require();
        var name = await SubmitAsync($"cli-stop-{Guid.NewGuid().ToString("N")[..6]}", "import time, sys; time.sleep(120)");
        await WaitForPhaseAsync(name, "Running", TimeSpan.FromSeconds(90));
        var running = await _cli.RunAsync("watch", name, "--interval", "500ms", "--timeout", "2s");
        Assert.True(running.ExitCode == 7, $"expected the timeout (7) while it runs; got {running.ExitCode}\n{running.StandardOutput}\n{running.StandardError}");
        Assert.Contains("is still Running after 2s", running.StandardError, StringComparison.Ordinal);

        (await _cli.RunAsync("cancel", name)).EnsureSuccess();
        var watch = await _cli.RunAsync("watch", name);

        Assert.Equal(5, watch.ExitCode);
        Assert.Contains($"job \"{name}\" Cancelled: cancelled by the user", watch.StandardOutput, StringComparison.Ordinal);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string queue;
        do
        {
            await Task.Delay(500);
            queue = (await ProcessRunner.RunAsync("squeue", ["-h", "-n", name, "-o", "%A %T"], timeout: TimeSpan.FromSeconds(20))).StandardOutput.Trim();
        }
        while (queue.Length > 0 && DateTime.UtcNow < deadline);
        Assert.True(queue.Length == 0, $"still in Slurm after cancel: {queue}");
    }
}
