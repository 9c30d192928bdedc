namespace Coordinator.Data.Partitioning;

/// <summary>What a partition pass has done so far, as <see cref="PartitionProgressHook"/> reports it.</summary>
/// <param name="BatchesCut">Batches finished in this pass (written, or found stored by an interrupted pass).</param>
/// <param name="BytesRead">Bytes read from the input objects as stored (compressed for <c>.gz</c>).</param>
/// <param name="BytesTotal">The input's total from the listing taken before reading.</param>
/// <param name="Objects">Input objects in that listing.</param>
/// <param name="Starting">True for the one report made before the first byte is read.</param>
public readonly record struct PartitionTally(long BatchesCut, long BytesRead, long BytesTotal, int Objects, bool Starting);

/// <summary>
/// The partitioner's progress hook: <see cref="Partitioner"/> reports once when the input is listed (before reading)
/// and after every batch it cuts, awaiting <c>report</c> inline, so whoever listens decides how often to act on it
/// (the partition controller writes status at a bounded rate) and may take its time without a race. Bytes are counted
/// as the format readers pull them from the object store (<see cref="CountingReadStore"/>).
/// </summary>
public sealed class PartitionProgressHook(Func<PartitionTally, CancellationToken, ValueTask> report)
{
    private long _bytesRead;
    private long _batches;
    private long _bytesTotal;
    private int _objects;

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    internal void AddBytes(long count) => Interlocked.Add(ref _bytesRead, count);

    internal ValueTask StartAsync(long bytesTotal, int objects, CancellationToken ct)
    {
        _bytesTotal = bytesTotal;
        _objects = objects;
        return report(Snapshot(starting: true), ct);
    }

    internal ValueTask BatchCutAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _batches);
        return report(Snapshot(starting: false), ct);
    }

    private PartitionTally Snapshot(bool starting) =>
        new(Interlocked.Read(ref _batches), BytesRead, _bytesTotal, _objects, starting);
}
