using Coordinator.Data.Layout;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Pipeline;

/// <summary>
/// The state one reconcile pass works on. Controllers edit <see cref="Job"/>.Status in memory and call
/// <see cref="SaveStatusAsync"/> before any side effect outside DynamoDB that must be recorded first (e.g. the dispatch
/// intent before sbatch). The reconciler also saves once after the pipeline if the status changed.
/// A save is conditional on the version read; a conflict throws ConflictException (re-read and requeue).
/// </summary>
public sealed class JobContext(Job job, DateTimeOffset now, Func<Job, CancellationToken, Task<long>> saveStatus)
{
    public Job Job { get; } = job;

    /// <summary>The time this pass started; controllers use it instead of the clock so decisions are testable.</summary>
    public DateTimeOffset Now { get; } = now;

    /// <summary>Layout of this job's objects (batches, results, manifests).</summary>
    public JobLayout? Layout { get; init; }

    /// <summary>
    /// Set by a controller that deleted the job (ttlAfterFinished): the reconciler writes nothing more for this pass.
    /// </summary>
    public bool Deleted { get; private set; }

    public void MarkDeleted() => Deleted = true;

    /// <summary>Conditionally write Job.Status (and generation); updates Job.Version on success.</summary>
    public async Task SaveStatusAsync(CancellationToken ct)
    {
        Job.Version = await saveStatus(Job, ct).ConfigureAwait(false);
    }
}
