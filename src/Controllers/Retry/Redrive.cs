using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Tasks;
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
