using Coordinator.Controllers;
using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Coordinator.Reconciler.Hosting;

/// <summary>
/// Every pipeline controller the daemon runs, one line each. The reconciler receives them as
/// <c>IEnumerable&lt;IJobController&gt;</c> and runs them by <see cref="IJobController.Order"/> (validation 0, deadline 50, output probe 90,
/// partition 100, store 200, dispatch 300, status 400), so the order of these lines does not matter.
/// Register a controller's own dependencies (ports and adapters) in <see cref="AddControllerDependencies"/>.
/// </summary>
public static class ControllerRegistrations
{
    public static IServiceCollection AddJobControllers(this IServiceCollection services)
    {
        services.AddSingleton<IJobController, ValidationController>();
        services.AddSingleton<IJobController, DeadlineController>();
        services.AddSingleton<IJobController, OutputProbeController>();
        services.AddSingleton<IJobController, PartitionController>();
        services.AddSingleton<IJobController, StoreController>();
        services.AddSingleton<IJobController, DispatchController>();
        services.AddSingleton<IJobController, StatusController>();
        services.AddSingleton<IJobController, AggregateController>();
        return services.AddControllerDependencies();
    }

    /// <summary>
    /// What the controllers need beyond the shared ports (state store, object store and scheduler come from
    /// <see cref="CoordinatorServices.AddCoordinatorCore"/>), one line each.
    /// </summary>
    public static IServiceCollection AddControllerDependencies(this IServiceCollection services)
    {
        services.TryAddSingleton<TaskEventLog>();
        services.TryAddSingleton(sp => new TaskWatch(sp.GetService<TimeProvider>()));
        services.TryAddSingleton(sp => new TaskTallySource(sp.GetRequiredService<IStateStore>(), sp.GetRequiredService<IScheduler>(), sp.GetRequiredService<CoordinatorOptions>(),
            sp.GetRequiredService<TaskEventLog>(), sp.GetRequiredService<TaskWatch>()));
        services.TryAddSingleton<JobCleanup>();
        services.TryAddSingleton<SlurmOutage>();
        services.TryAddSingleton<UnclaimedSubmissions>();
        // The per-job memories the reconciler forgets finished jobs from (and everything at each new term).
        services.AddSingleton<IJobMemory>(sp => sp.GetRequiredService<TaskTallySource>());
        services.AddSingleton<IJobMemory>(sp => sp.GetRequiredService<TaskEventLog>());
        services.AddSingleton<IJobMemory>(sp => sp.GetRequiredService<SlurmOutage>());
        services.AddSingleton<IJobMemory>(sp => sp.GetRequiredService<TaskWatch>());
        services.AddSingleton<IJobMemory>(sp => sp.GetRequiredService<UnclaimedSubmissions>());
        return services;
    }
}
