namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// Splits the batch indices to dispatch into Slurm array submissions. Pure: tested without Slurm.
/// </summary>
public static class ArrayPlanner
{
    /// <summary>
    /// Cut <paramref name="indices"/> into chunks whose relative array indices stay below <paramref name="maxArraySize"/>,
    /// taking at most <paramref name="budget"/> array tasks in total (the outstanding-task budget that keeps Slurm under
    /// MaxJobCount). With <paramref name="perTask"/> above 1, array task <c>a</c> of a chunk covers the aligned block of
    /// batches <c>offset + a × perTask …</c> (<see cref="ArrayChunk"/>), so a batch retried later is submitted in its own
    /// block: its pack-mates that succeeded are skipped by the worker. Lowest indices go first so progress reads in
    /// order. Indices left out are dispatched on a later pass.
    /// </summary>
    public static IReadOnlyList<ArrayChunk> Plan(IEnumerable<int> indices, int maxArraySize, int budget, int perTask = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxArraySize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(perTask, 1);
        var chunks = new List<ArrayChunk>();
        if (budget <= 0)
        {
            return chunks;
        }
        var current = new List<int>();
        var offset = 0;
        var tasks = 0;
        var lastTask = -1;
        foreach (var index in indices.Distinct().Order())
        {
            if (current.Count > 0 && (index - offset) / perTask >= maxArraySize)
            {
                chunks.Add(new ArrayChunk(offset, current, perTask));
                current = [];
            }
            if (current.Count == 0)
            {
                // Keep offset 0 while the index fits: array ids then equal batch ids (or packs of them), which is what
                // operators expect in squeue; else the block of this index starts the chunk.
                offset = index / perTask < maxArraySize && chunks.Count == 0 ? 0 : index - index % perTask;
                lastTask = -1;
            }
            var task = (index - offset) / perTask;
            if (task != lastTask)
            {
                if (tasks == budget)
                {
                    break;
                }
                tasks++;
                lastTask = task;
            }
            current.Add(index);
        }
        if (current.Count > 0)
        {
            chunks.Add(new ArrayChunk(offset, current, perTask));
        }
        return chunks;
    }
}
