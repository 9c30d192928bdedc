using Coordinator.Aws.Items;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Status;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>`coordinator apply` and `coordinator diff`, run as processes against moto, as a user runs them.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class ApplyDiffTests(LocalStackFixture fixture) : IAsyncLifetime
{
    private CliStack _cli = null!;

    public async Task InitializeAsync() => _cli = await CliStack.CreateAsync(fixture);

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Fact]
    public async Task Apply_creates_then_says_unchanged_then_updates_the_spec_with_a_diff_keeping_status()
    {
        var file = await _cli.JobFileAsync("applied");

        var created = (await _cli.RunAsync("apply", "-f", file)).EnsureSuccess();
        var running = await _cli.SubmitRunningAsync("applied-run");
        var before = await _cli.GetItemAsync("applied");
        var unchanged = (await _cli.RunAsync("apply", "-f", file)).EnsureSuccess();
        var afterUnchanged = await _cli.GetItemAsync("applied");

        Assert.Equal("job/applied created", created.StandardOutput.Trim());
        Assert.Equal("job/applied unchanged", unchanged.StandardOutput.Trim());
        Assert.Equal(JobItemCodec.Decode(before).Spec.Batching.MaxRecords, JobItemCodec.Decode(afterUnchanged).Spec.Batching.MaxRecords);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), afterUnchanged.Keys.Order(StringComparer.Ordinal));

        // A running job's spec edited by apply: the diff is printed, status and version are the daemon's and stay.
        var edited = await _cli.JobFileAsync("applied-run", "{team: vision}", "  suspend: true");
        var update = (await _cli.RunAsync("apply", "-f", edited)).EnsureSuccess();
        var job = JobItemCodec.Decode(await _cli.GetItemAsync("applied-run"));

        var lines = update.StandardOutput.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains("-  team: nlp", lines);
        Assert.Contains("+  team: vision", lines);
        Assert.Contains("-  suspend: false", lines);
        Assert.Contains("+  suspend: true", lines);
        Assert.Equal("job/applied-run configured", lines.Last(l => l.Length > 0));
        Assert.True(job.Spec.Suspend);
        Assert.Equal("vision", job.Labels["team"]);
        Assert.Equal(JobPhase.Running, job.Status.Phase);
        Assert.Equal(running.Version, job.Version);
    }

    [Fact]
    public async Task Diff_exits_0_without_differences_and_1_with_them_reading_the_file_from_stdin_with_dash()
    {
        var file = await _cli.JobFileAsync("diffed");
        var absent = await _cli.RunAsync("diff", "-f", file);
        (await _cli.RunAsync("apply", "-f", file)).EnsureSuccess();
        var same = await _cli.RunAsync("diff", "-f", file);
        var changed = await _cli.JobFileAsync("diffed", extra: "  slurm: {maxConcurrent: 5}");
        var differs = await RunWithStdinAsync(changed, "diff", "-f", "-");
        var appliedFromStdin = await RunWithStdinAsync(changed, "apply", "-f", "-");

        Assert.Equal(1, absent.ExitCode);
        Assert.Contains("+spec:", absent.StandardOutput.Split('\n').Select(l => l.TrimEnd()));
        Assert.Equal((0, ""), (same.ExitCode, same.StandardOutput.Trim()));
        Assert.Equal(1, differs.ExitCode);
        var lines = differs.StandardOutput.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains("-    maxConcurrent: 50", lines);
        Assert.Contains("+    maxConcurrent: 5", lines);
        Assert.Equal(0, appliedFromStdin.ExitCode);
        Assert.Equal(5, JobItemCodec.Decode(await _cli.GetItemAsync("diffed")).Spec.Slurm.MaxConcurrent);
        Assert.Equal(0, (await _cli.RunAsync("diff", "-f", changed)).ExitCode);
    }

    /// <summary>Runs `coordinator ARGS` with <paramref name="stdinFile"/> as its standard input, through sh's redirection.</summary>
    private Task<ProcessResult> RunWithStdinAsync(string stdinFile, params string[] args) =>
        ProcessRunner.RunAsync("/bin/sh", ["-c", "exec \"$0\" \"$@\" < \"$COORDINATOR_TEST_STDIN\"", CoordinatorCli.ExecutablePath, .. args, .. _cli.Settings],
            new Dictionary<string, string?>
            {
                ["AWS_ENDPOINT_URL"] = fixture.EndpointUrl,
                ["COLUMNS"] = null,
                ["COORDINATOR_TEST_STDIN"] = stdinFile,
            });
}
