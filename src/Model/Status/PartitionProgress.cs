namespace Coordinator.Model.Status;

/// <summary>
/// How far the running partition pass of the job's generation has got (<c>status.partition</c>): batches cut so far and
/// bytes read of the input's total, the total known from the listing before the first byte is read. Written by the
/// daemon while it partitions, at a bounded rate (<c>Coordinator:PartitionProgressInterval</c>), and removed once the
/// generation is partitioned (then <c>status.batches.total</c> is the final count) or its input is refused. A pass
/// that restarts (a new daemon, a requeue) writes fresh figures from zero at its start, so old figures are never left
/// standing as if current; <see cref="UpdatedAt"/> says how old they are.
/// </summary>
public sealed class PartitionProgress
{
    /// <summary>Batches cut so far in this pass (stored, or found already stored by an interrupted pass).</summary>
    public long BatchesCut { get; set; }
    /// <summary>Bytes read from the input objects so far (as stored, i.e. compressed for <c>.gz</c> objects).</summary>
    public long BytesRead { get; set; }
    /// <summary>The input's size from the listing taken before reading: the sum of its objects' sizes.</summary>
    public long BytesTotal { get; set; }
    /// <summary>Number of input objects in the listing.</summary>
    public long Objects { get; set; }
    /// <summary>When this pass started reading.</summary>
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>When these figures were taken.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Bytes read as a fraction of the total, 0..1 (0 when the total is 0).</summary>
    public double Fraction => BytesTotal <= 0 ? 0 : Math.Clamp((double)BytesRead / BytesTotal, 0, 1);
}
