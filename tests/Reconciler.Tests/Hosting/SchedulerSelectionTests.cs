using Coordinator.Controllers.Ports;
using Coordinator.Reconciler.Configuration;
using Coordinator.Reconciler.Hosting;
using Coordinator.Scheduling.Local;
using Coordinator.Scheduling.Shared;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Reconciler.Tests.Hosting;

/// <summary>Coordinator:Scheduler picks the scheduler the daemon, the CLI and the worker run with: slurm (default) or local.</summary>
public sealed class SchedulerSelectionTests
{
    private static IConfiguration With(string? scheduler) => new ConfigurationBuilder()
        .AddInMemoryCollection(scheduler is null ? [] : [new("Coordinator:Scheduler", scheduler)]).Build();

    [Fact]
    public void Local_runs_the_daemons_workers_as_local_processes_behind_the_lease_guard()
    {
        var services = new ServiceCollection();
        services.AddCoordinatorDaemon(With("local"));
        using var provider = services.BuildServiceProvider();

        var scheduler = provider.GetRequiredService<IScheduler>();
        Assert.True(scheduler is GuardedScheduler { Inner: LocalScheduler }, $"IScheduler is {Describe(scheduler)}");
    }

    [Theory]
    [InlineData("local")]
    [InlineData("Local")]
    public void The_cli_gets_the_local_scheduler_too(string value)
    {
        using var provider = CoordinatorServices.BuildProvider(With(value), CoordinatorProcess.Cli);

        var scheduler = provider.GetRequiredService<IScheduler>();
        Assert.True(scheduler is LocalScheduler, $"IScheduler is {Describe(scheduler)}");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("slurm")]
    public void Slurm_is_the_default(string? value)
    {
        using var provider = CoordinatorServices.BuildProvider(With(value), CoordinatorProcess.Cli);

        Assert.IsType<SharedQueueScheduler>(provider.GetRequiredService<IScheduler>());
    }

    [Fact]
    public void A_bad_value_is_a_startup_error_naming_the_setting_and_the_choices()
    {
        var error = Assert.Throws<CoordinatorConfigurationException>(() =>
            CoordinatorConfiguration.Load(With("lokal")));

        Assert.Contains("Coordinator:Scheduler: must be slurm or local; got \"lokal\"", error.Errors);
    }

    private static string Describe(IScheduler scheduler) => scheduler is GuardedScheduler guarded
        ? $"GuardedScheduler over {guarded.Inner.GetType().Name}" : scheduler.GetType().Name;
}
