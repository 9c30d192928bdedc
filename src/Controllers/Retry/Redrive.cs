using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Retry;

/// <summary>
/// Redrive: put the failed batches of a Failed job back to Pending with a fresh attempt budget, leaving succeeded
/// batches alone. Each task write is conditional, so a redrive racing a worker never overwrites it. Used by
/// `coordinator retry NAME` and by the status controller when spec.retryGeneration is bumped.
/// </summary>
public static class Redrive
{
    public const string ConditionType = "Redriven";

    /// <summary>
    /// Whether a redrive is asked and not yet done: the job is Failed and spec.retryGeneration is above the
    /// observedGeneration of its Redriven condition (0 when it was never redriven). The status controller acts on it;
    /// the relist takes a finished job for which it holds.
    /// </summary>
    public static bool IsRequested(Job job) =>
        job.Status.Phase == JobPhase.Failed
        && job.Spec.RetryGeneration > (job.Status.Conditions.FirstOrDefault(c => c.Type == ConditionType)?.ObservedGeneration ?? 0);

    /// <summary>Returns the indices put back to Pending.</summary>
    public static async Task<IReadOnlyList<int>> ResetFailedTasksAsync(IStateStore state, string job, long generation, CancellationToken ct)
    {
        var reset = new List<int>();
        await foreach (var page in TaskReader.ReadPagesAsync(state, job, generation, ct).ConfigureAwait(false))
        {
            foreach (var task in page.Where(t => t.State == TaskState.Failed))
            {
                task.State = TaskState.Pending;
                task.Attempt = 0;
                task.NotBefore = null;
                task.Reason = $"Redrive (was: {task.Reason})";
                task.Verdict = TaskVerdict.None;
                task.UnclaimedSubmissions = 0;
                task.Disruptions = 0;
                try
                {
                    task.Version = await state.UpdateTaskAsync(task, ct).ConfigureAwait(false);
                    reset.Add(task.Index);
                }
                catch (ConflictException)
                {
                    // Someone moved it since the read; the next redrive or pass sees its new state.
                }
            }
        }
        return reset;
    }
}
