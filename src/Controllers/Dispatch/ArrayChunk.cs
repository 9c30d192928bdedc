namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// One Slurm array submission's share of the batches. Slurm array indices must stay below MaxArraySize, so a chunk
/// covering high batch indices is submitted relative to <see cref="Offset"/>. Array task <c>a</c> runs the batches
/// <c>Offset + a × PerTask</c> … <c>Offset + a × PerTask + PerTask − 1</c> (a pack; one batch when
/// <see cref="PerTask"/> is 1), each only if it is claimable when the task reaches it.
/// </summary>
public sealed record ArrayChunk(int Offset, IReadOnlyList<int> BatchIndexes, int PerTask = 1)
{
    /// <summary>The --array range string, relative to <see cref="Offset"/>: one array index per pack.</summary>
    public string ArrayIndexes => IndexRanges.Format(BatchIndexes.Select(i => (i - Offset) / PerTask).Distinct());

    /// <summary>How many array tasks the chunk submits.</summary>
    public int Tasks => BatchIndexes.Select(i => (i - Offset) / PerTask).Distinct().Count();

    /// <summary>The batch indices as a range string (absolute), as recorded in the dispatch intent.</summary>
    public string Indexes => IndexRanges.Format(BatchIndexes);
}
