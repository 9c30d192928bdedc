namespace Coordinator.Reconciler.Feed;

/// <summary>
/// Where a stream follower keeps its position per shard (the Kinesis Client Library's checkpoints): the sequence
/// number of the last record of the shard that was handed to the work queue. A new leader resumes after it, so the
/// records written while no leader followed the stream are read instead of skipped; the relist at the start of each
/// term still runs, because a record handed to the queue of a leader that died before reconciling it is behind the
/// checkpoint.
/// </summary>
public interface IShardCheckpoints
{
    /// <summary>The checkpointed sequence number of each of <paramref name="shardIds"/> that has one for this stream.</summary>
    Task<IReadOnlyDictionary<string, string>> LoadAsync(StreamTable table, string streamArn, IReadOnlyCollection<string> shardIds, CancellationToken ct);

    /// <summary>
    /// Records that the shard's records up to <paramref name="sequenceNumber"/> were handed on. False when refused:
    /// this daemon does not hold the lease with enough of it left, or a leader of a newer term wrote the checkpoint.
    /// </summary>
    Task<bool> SaveAsync(StreamTable table, string streamArn, string shardId, string sequenceNumber, CancellationToken ct);
}
