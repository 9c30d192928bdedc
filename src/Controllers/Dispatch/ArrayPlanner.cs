namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// Splits the batch indices to dispatch into Slurm array submissions. Pure: tested without Slurm.
/// </summary>
public static class ArrayPlanner
{
    /// <summary>
    /// Cut <paramref name="indices"/> into chunks whose relative array indices stay below <paramref name="maxArraySize"/>,
    /// taking at most <paramref name="budget"/> indices in total (the outstanding-task budget that keeps Slurm under
    /// MaxJobCount). Lowest indices go first so progress reads in order. Indices left out are dispatched on a later pass.
    /// </summary>
    public static IReadOnlyList<ArrayChunk> Plan(IEnumerable<int> indices, int maxArraySize, int budget)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxArraySize, 1);
        var chunks = new List<ArrayChunk>();
        if (budget <= 0)
        {
            return chunks;
        }
        var taken = indices.Distinct().Order().Take(budget).ToArray();
        var current = new List<int>();
        var offset = 0;
        foreach (var index in taken)
        {
            if (current.Count > 0 && index - offset >= maxArraySize)
            {
                chunks.Add(new ArrayChunk(offset, current));
                current = [];
            }
            if (current.Count == 0)
            {
                // Keep offset 0 while the index fits: array ids then equal batch ids, which is what operators expect in squeue.
                offset = index < maxArraySize && chunks.Count == 0 ? 0 : index;
            }
            current.Add(index);
        }
        if (current.Count > 0)
        {
            chunks.Add(new ArrayChunk(offset, current));
        }
        return chunks;
    }
}
