using Coordinator.Controllers.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>Unit tests of the adapter's retry and parsing with a scripted runner; the real Slurm is in Integration.Tests/Slurm.</summary>
public sealed class SlurmSchedulerTests
{
    private sealed class ScriptedRunner(params CommandResult[] results) : ICommandRunner
    {
        public List<(string Program, IReadOnlyList<string> Args, string? Stdin)> Calls { get; } = [];
        public Task<CommandResult> RunAsync(string program, IReadOnlyList<string> arguments, string? standardInput, CancellationToken ct)
        {
            Calls.Add((program, arguments, standardInput));
            return Task.FromResult(results[Math.Min(Calls.Count - 1, results.Length - 1)]);
        }
    }

    private static SlurmScheduler Scheduler(ScriptedRunner runner) =>
        new(runner, NullLogger<SlurmScheduler>.Instance, maxRetryAttempts: 3, retryDelay: TimeSpan.FromMilliseconds(1));

    [Fact]
    public async Task Submit_RetriesTransientErrorsThenReturnsTheJobId()
    {
        var runner = new ScriptedRunner(
            new CommandResult(1, "", "sbatch: error: Batch job submission failed: Socket timed out on send/recv operation"),
            new CommandResult(1, "", "sbatch: error: Batch job submission failed: Resource temporarily unavailable"),
            new CommandResult(0, "4242;cluster\n", ""));
        var id = await Scheduler(runner).SubmitAsync(BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>()), default);
        Assert.Equal("4242", id);
        Assert.Equal(3, runner.Calls.Count);
        Assert.All(runner.Calls, c => Assert.Equal("sbatch", c.Program));
        Assert.StartsWith("#!/bin/sh", runner.Calls[0].Stdin, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_PermanentErrorFailsAtOnceWithSlurmsMessage()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", "sbatch: error: invalid partition specified: nope"));
        var error = await Assert.ThrowsAsync<SchedulerException>(() =>
            Scheduler(runner).SubmitAsync(BatchScriptBuilderTests.Request(["w"], new Dictionary<string, string>()), default));
        Assert.False(error.Transient);
        Assert.Contains("invalid partition", error.Message, StringComparison.Ordinal);
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task List_GivesUpAfterRetriesWhenControllerStaysDown()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)"));
        var error = await Assert.ThrowsAsync<SchedulerException>(() => Scheduler(runner).ListAsync("j", default));
        Assert.True(error.Transient);
        Assert.Equal(4, runner.Calls.Count);
    }

    [Fact]
    public async Task UpdateThrottle_CallsScontrolWithSeparateArguments()
    {
        var runner = new ScriptedRunner(new CommandResult(0, "", ""));
        await Scheduler(runner).UpdateThrottleAsync("77", 3, default);
        Assert.Equal(["update", "JobId=77", "ArrayTaskThrottle=3"], runner.Calls[0].Args);
    }
}
