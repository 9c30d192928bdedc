using Coordinator.Controllers.Ports;
using Coordinator.Model.Tasks;

namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// Conditional writes of many tasks at once (a pilot claims a group of batches). Each task is its own conditional
/// PutItem, sent concurrently, so the group costs one round trip of latency, not one per task, and each task is
/// written exactly when its own version condition holds.
/// <para>
/// Not TransactWriteItems, on purpose: a transaction is all-or-nothing, which is not what a claim wants, and moto
/// implements it by deep-copying the whole table per item and restoring that copy when any condition fails — which
/// silently undid other workers' concurrent writes (a recorded outcome reverted to Running, then declared lost) and
/// cost seconds per call on a table of thousands of tasks.
/// </para>
/// </summary>
public sealed partial class DynamoStateStore
{
    /// <summary>Most conditional writes of one group in flight at once.</summary>
    public const int MaxConcurrentTaskWrites = 16;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<bool>> TryUpdateTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct)
    {
        var written = new bool[tasks.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, tasks.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentTaskWrites, CancellationToken = ct },
            async (i, token) =>
            {
                try
                {
                    tasks[i].Version = await UpdateTaskAsync(tasks[i], token).ConfigureAwait(false);
                    written[i] = true;
                }
                catch (ConflictException)
                {
                }
            }).ConfigureAwait(false);
        return written;
    }
}
