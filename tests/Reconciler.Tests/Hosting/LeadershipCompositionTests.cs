using Coordinator.Aws.DynamoDb;
using Coordinator.Controllers.Ports;
using Coordinator.Reconciler.Hosting;
using Coordinator.Reconciler.LeaderElection;
using Coordinator.Scheduling.Shared;
using Coordinator.Scheduling.Slurm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Coordinator.Reconciler.Tests.Hosting;

/// <summary>The composition root wires the lease guard into the daemon's state store, scheduler and elector, and only there.</summary>
public sealed class LeadershipCompositionTests
{
    private static readonly IConfiguration Configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Coordinator:Region", "us-east-1")]).Build();

    [Fact]
    public void The_daemon_stamps_its_term_and_guards_every_Slurm_command_with_the_electors_guard()
    {
        var services = new ServiceCollection();
        services.AddCoordinatorDaemon(Configuration);
        using var provider = services.BuildServiceProvider();

        var guard = provider.GetRequiredService<LeaseGuard>();
        Assert.Same(guard, provider.GetRequiredService<ILeadershipGuard>());
        Assert.Same(guard, provider.GetRequiredService<LeaderElector>().Guard);
        Assert.Same(guard, provider.GetRequiredService<DynamoStateStore>().Leadership);
        var guarded = Assert.IsType<GuardedScheduler>(provider.GetRequiredService<IScheduler>());
        Assert.IsType<SlurmScheduler>(Assert.IsType<SharedQueueScheduler>(guarded.Inner).Inner);
    }

    [Theory]
    [InlineData(CoordinatorProcess.Cli)]
    [InlineData(CoordinatorProcess.Worker)]
    public void The_cli_and_the_worker_write_as_users_and_call_Slurm_directly(CoordinatorProcess process)
    {
        using var provider = CoordinatorServices.BuildProvider(Configuration, process);

        Assert.IsType<Unfenced>(provider.GetRequiredService<DynamoStateStore>().Leadership);
        Assert.IsType<SlurmScheduler>(Assert.IsType<SharedQueueScheduler>(provider.GetRequiredService<IScheduler>()).Inner);
    }
}
