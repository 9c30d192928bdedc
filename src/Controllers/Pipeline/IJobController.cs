namespace Coordinator.Controllers.Pipeline;

/// <summary>
/// One small, single-purpose step of reconciling a job (partition, store, dispatch, status/aggregate).
/// Each guards on its own condition: when its work is already done it returns <see cref="ControllerResult.Continue"/>
/// without side effects, so running the whole pipeline twice does no harm (level-triggered reconcile).
/// </summary>
public interface IJobController
{
    /// <summary>Short name used in metrics and logs (e.g. "partition").</summary>
    string Name { get; }

    /// <summary>Position in the pipeline: validation 0, partition 100, store 200, dispatch 300, status 400.</summary>
    int Order { get; }

    Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct);
}
