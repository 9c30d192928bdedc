using Coordinator.Aws.Streams;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// Which shards may be read now (pure). DynamoDB Streams orders a key's changes across a split only if a parent
/// shard is read to its end before its children, so a child is readable once its parent is finished, or when the
/// parent is no longer listed (trimmed after 24 h: nothing is left to read there).
/// </summary>
public static class ShardLineage
{
    public static IReadOnlyList<Shard> Readable(IEnumerable<Shard> shards, IReadOnlySet<string> finished)
    {
        var all = shards.ToList();
        var listed = all.Select(s => s.ShardId).ToHashSet(StringComparer.Ordinal);
        return all
            .Where(s => !finished.Contains(s.ShardId))
            .Where(s => s.ParentShardId is null || !listed.Contains(s.ParentShardId) || finished.Contains(s.ParentShardId))
            .ToList();
    }
}
