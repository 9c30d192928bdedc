using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Validation;
using Microsoft.Extensions.DependencyInjection;

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
        return services.AddControllerDependencies();
    }

    /// <summary>Ports and adapters the controllers need (object store, scheduler, ...), one line each.</summary>
    public static IServiceCollection AddControllerDependencies(this IServiceCollection services) => services;
}
