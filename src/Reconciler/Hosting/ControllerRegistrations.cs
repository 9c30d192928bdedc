using Coordinator.Aws;
using Coordinator.Aws.S3;
using Coordinator.Controllers;
using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Data.Storage;
using Coordinator.Scheduling.Commands;
using Coordinator.Scheduling.Slurm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Hosting;

/// <summary>
/// Every pipeline controller the daemon runs, one line each. The reconciler receives them as
/// <c>IEnumerable&lt;IJobController&gt;</c> and runs them by <see cref="IJobController.Order"/> (validation 0,
/// partition 100, store 200, dispatch 300, status 400), so the order of these lines does not matter.
/// Register a controller's own dependencies (ports and adapters) in <see cref="AddControllerDependencies"/>.
/// </summary>
public static class ControllerRegistrations
{
    public static IServiceCollection AddJobControllers(this IServiceCollection services)
    {
        services.AddSingleton<IJobController, ValidationController>();
        services.AddSingleton<IJobController, PartitionController>();
        services.AddSingleton<IJobController, StoreController>();
        services.AddSingleton<IJobController, DispatchController>();
        services.AddSingleton<IJobController, StatusController>();
        services.AddSingleton<IJobController, AggregateController>();
        return services.AddControllerDependencies();
    }

    /// <summary>Ports and adapters the controllers need (object store, scheduler, ...), one line each.</summary>
    public static IServiceCollection AddControllerDependencies(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new AwsClientFactory(sp.GetRequiredService<CoordinatorOptions>()));
        services.TryAddSingleton<IObjectStore>(sp => ObjectStoreRouter.Create(sp.GetRequiredService<AwsClientFactory>()));
        services.TryAddSingleton<ICommandRunner, ProcessCommandRunner>();
        services.TryAddSingleton<IScheduler>(sp => new SlurmScheduler(sp.GetRequiredService<ICommandRunner>(), sp.GetRequiredService<ILogger<SlurmScheduler>>(),
            metrics: sp.GetService<CoordinatorMetrics>()));
        services.TryAddSingleton<TaskEventLog>();
        services.TryAddSingleton(sp => new TaskTallySource(sp.GetRequiredService<IStateStore>(), sp.GetRequiredService<IScheduler>(),
            sp.GetRequiredService<TaskEventLog>()));
        services.TryAddSingleton<JobCleanup>();
        services.TryAddSingleton<SlurmOutage>();
        return services;
    }
}
