using Coordinator.Testing.Stack;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// The daemon with <c>Coordinator:Scheduler=local</c> on the real moto stack: workers run as its child processes, with
/// no Slurm at all — SLURM_CONF points at a file that does not exist, so any Slurm command would fail. These tests
/// say nothing about Slurm; the Slurm path is tested in <see cref="JobLifecycleTests"/>.
/// </summary>
public sealed class LocalModeStack : E2eStack
{
    public LocalModeStack() : base("e2l")
    {
        Settings["COORDINATOR__SCHEDULER"] = "local";
        Settings["SLURM_CONF"] = Path.Combine(Work, "no-slurm-here.conf");
    }

    /// <summary>Nothing of this stack is in Slurm; its local processes die with the daemon.</summary>
    protected override Task CancelSlurmJobsAsync() => Task.CompletedTask;
}

/// <summary>One local-mode daemon for the class.</summary>
public sealed class LocalModeStackFixture : IAsyncLifetime
{
    public LocalModeStack? Stack { get; private set; }

    public async Task InitializeAsync()
    {
        if (StackEnvironment.AwsUnavailable is null)
        {
            Stack = new LocalModeStack();
            await Stack.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }
}

[Collection("EndToEnd")]
public sealed class LocalSchedulerModeTests(LocalModeStackFixture fixture) : IClassFixture<LocalModeStackFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private LocalModeStack Stack
    {
        get
        {
            Skip.If(StackEnvironment.AwsUnavailable is not null, StackEnvironment.AwsUnavailable);
            return fixture.Stack!;
        }
    }

    private static string Name(string what) => $"e2l-{what}-{Guid.NewGuid().ToString("N")[..6]}";

    private static string Expected(int records) => string.Concat(Enumerable.Range(0, records).Select(i =>
        $"{{\"id\":{i},\"words\":5,\"counts\":{{\"the\":1,\"quick\":1,\"brown\":1,\"fox\":1,\"{i}\":1}}}}\n"));

    [SkippableFact]
    public async Task PutItem_RunsTheWordcountExampleAsLocalProcessesToSucceededWithItsExactOutput()
    {
        var stack = Stack;
        var name = Name("wc");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(100));
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec => spec["slurm"] = M(("maxConcurrent", N(2)))));

        var status = await stack.WaitForPhaseAsync(name, Limit, "Succeeded", "Failed", "Invalid");
        Assert.True(E2eStack.Phase(status) == "Succeeded", $"{status}\n{stack.DaemonLog}");
        Assert.Equal(4, E2eStack.Count(status, "batches", "succeeded"));
        Assert.Equal((100, 100), (E2eStack.Count(status, "records", "input"), E2eStack.Count(status, "records", "output")));
        var output = await stack.DownloadAsync(E2eStack.Text(status.GetProperty("output").GetProperty("M"), "uri"));
        Assert.Equal(Expected(100), output);
        // The workers were local processes: their logs are where a Slurm task's would be, and the daemon logged no Slurm error.
        Assert.NotEmpty(Directory.GetFiles(stack.Settings["COORDINATOR__SLURM__LOGDIRECTORY"]!, $"{name}-*.err"));
        Assert.DoesNotContain("no-slurm-here.conf", stack.DaemonLog, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Cancel_StopsTheJobAndKillsItsLocalWorkersAndHandlers()
    {
        var stack = Stack;
        var name = Name("cancel");
        await stack.UploadAsync($"in/{name}/part-0.jsonl", WordcountInput(50));
        // The handler carries the job name in its argv, so its process can be found (and must be gone) after the cancel.
        await stack.PutItemAsync(Wordcount(name, stack.Bucket, spec =>
            spec["handler"]!["M"]!["command"] = L(S("python3"), S("-c"), S("import time; time.sleep(120)"), S(name))));
        await stack.WaitForPhaseAsync(name, Limit, "Running");
        for (var deadline = DateTime.UtcNow.AddSeconds(60); Processes(name).Count < 2 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(250);
        }
        Assert.True(Processes(name).Count >= 2, $"expected two handlers running, found: {string.Join(" | ", Processes(name))}");

        var cancel = await stack.RunAsync(CoordinatorStack.Executable, "cancel", name);
        Assert.True(cancel.ExitCode == 0, cancel.StandardError);
        var status = await stack.WaitForPhaseAsync(name, Limit, "Cancelled");
        Assert.Equal("Cancelled", E2eStack.Phase(status));
        var left = Processes(name);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); left.Count > 0 && DateTime.UtcNow < deadline; left = Processes(name))
        {
            await Task.Delay(250);
        }
        Assert.True(left.Count == 0, $"still running 30 s after the cancel: {string.Join(" | ", left)}");
    }

    /// <summary>Command lines of the processes (workers and handlers) naming <paramref name="job"/>.</summary>
    private static List<string> Processes(string job)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                if (cmdline.Contains(job, StringComparison.Ordinal) && !cmdline.Contains("/proc", StringComparison.Ordinal))
                {
                    found.Add($"{Path.GetFileName(dir)}: {cmdline}");
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
