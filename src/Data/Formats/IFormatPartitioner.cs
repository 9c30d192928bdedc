using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;

namespace Coordinator.Data.Formats;

/// <summary>
/// Streams every input object of one format, in order, into batches. Implementations read with bounded memory
/// (a read buffer, at most one record or row group), count record offsets across objects, and throw
/// <see cref="InputFormatException"/> naming the object and place for input that can never be partitioned.
/// </summary>
public interface IFormatPartitioner
{
    Task PartitionAsync(IObjectStore store, IReadOnlyList<ObjectInfo> inputs, BatchLimits limits, BatchOutput output,
        PartitionStats stats, CancellationToken ct);
}
