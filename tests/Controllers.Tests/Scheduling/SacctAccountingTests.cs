using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Commands;
using Coordinator.Scheduling.Slurm;
using Coordinator.Testing.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>The sacct adapter: one sacct serves every caller for 10 s, with a bounded window; no accounting means none.</summary>
public sealed class SacctAccountingTests
{
    private static readonly string Captured = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Scheduling", "Captured", "sacct-22.05.json"));

    [Fact]
    public async Task CallsWithinTenSecondsShareOneSacctAndItsWindowIsBounded()
    {
        var runner = new ScriptedRunner(new CommandResult(0, Captured, ""));
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var accounting = new SacctAccounting(runner, CoordinatorMetrics.NoOp(), "capdep", time);

        var first = await accounting.EndedAsync(TimeSpan.FromMinutes(6), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(5));
        var second = await accounting.EndedAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.Equal(9, first.Count);
        Assert.Same(first, second);
        var (program, args, _) = Assert.Single(runner.Calls);
        Assert.Equal("sacct", program);
        Assert.Contains("--json", args);
        Assert.Contains("--starttime=now-360seconds", args);
        Assert.Contains("--endtime=now", args);

        time.Advance(TimeSpan.FromSeconds(6));
        await accounting.EndedAsync(TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.Equal(2, runner.Calls.Count);
    }

    [Fact]
    public async Task AClusterWithoutAccountingAnswersNothingAndIsNotAskedAgain()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", "Slurm accounting storage is disabled\n"));
        using var accounting = new SacctAccounting(runner, CoordinatorMetrics.NoOp(), "capdep", TimeProvider.System);
        Assert.Empty(await accounting.EndedAsync(TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.Empty(await accounting.EndedAsync(TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.Single(runner.Calls);
    }

    [Fact]
    public async Task AFailingSacctIsATransientSchedulerErrorNamingIt()
    {
        var runner = new ScriptedRunner(new CommandResult(1, "", "sacct: error: Problem talking to the database: Connection refused\n"));
        using var accounting = new SacctAccounting(runner, CoordinatorMetrics.NoOp(), "capdep", TimeProvider.System);
        var error = await Assert.ThrowsAsync<SchedulerException>(() => accounting.EndedAsync(TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.True(error.IsTransient);
        Assert.Contains("sacct exited with 1: sacct: error: Problem talking to the database", error.Message, StringComparison.Ordinal);
    }
}
