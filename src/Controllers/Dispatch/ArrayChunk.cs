namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// One Slurm array submission's share of the batches. Slurm array indices must stay below MaxArraySize, so a chunk
/// covering high batch indices is submitted relative to <see cref="Offset"/>: the worker computes
/// batch index = Offset + SLURM_ARRAY_TASK_ID.
/// </summary>
public sealed record ArrayChunk(int Offset, IReadOnlyList<int> BatchIndexes)
{
    /// <summary>The --array range string, relative to <see cref="Offset"/>.</summary>
    public string ArrayIndexes => IndexRanges.Format(BatchIndexes.Select(i => i - Offset));

    /// <summary>The batch indices as a range string (absolute), as recorded in the dispatch intent.</summary>
    public string Indexes => IndexRanges.Format(BatchIndexes);
}
