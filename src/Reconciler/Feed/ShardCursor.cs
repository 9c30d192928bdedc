using Coordinator.Aws.Streams;

namespace Coordinator.Reconciler.Feed;

/// <summary>Where the follower is in one shard, and when to poll it next.</summary>
internal sealed class ShardCursor(Shard shard, ShardIteratorType startAt)
{
    public Shard Shard { get; } = shard;

    /// <summary>Where a fresh iterator starts when there is no last sequence number to continue after.</summary>
    public ShardIteratorType StartAt { get; set; } = startAt;

    public string? Iterator { get; set; }
    public string? LastSequenceNumber { get; set; }

    /// <summary>The sequence number last written as this shard's checkpoint (or loaded as one).</summary>
    public string? Checkpointed { get; set; }

    public DateTimeOffset NextCheckpointAt { get; set; }
    public DateTimeOffset NextPollAt { get; set; }
    public int EmptyPolls { get; set; }
    public int Errors { get; set; }
}
