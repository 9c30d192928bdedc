using Coordinator.Aws.Streams;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// Which shards may be read now (pure). DynamoDB Streams orders a key's changes across a split only if a parent
/// shard is read to its end before its children, so a child is readable once its parent is finished, or when the
/// parent is no longer listed (trimmed after 24 h: nothing is left to read there).
/// </summary>
public static class ShardLineage
{
    /// <summary>
    /// Where each listed shard is read from at the start of a term, given the previous leader's checkpoints: after
    /// its checkpoint; from its start (TRIM_HORIZON) when it has none but descends from a checkpointed shard (the
    /// last leader never reached it, so all of it is new); otherwise from LATEST if open (the start relist covers what
    /// came before) and not at all if closed.
    /// </summary>
    public static IReadOnlyDictionary<string, ShardStart> StartsAt(IReadOnlyList<Shard> shards, IReadOnlyDictionary<string, string> checkpoints)
    {
        var byId = shards.ToDictionary(s => s.ShardId, StringComparer.Ordinal);
        var starts = new Dictionary<string, ShardStart>(StringComparer.Ordinal);
        ShardStart Of(Shard shard)
        {
            if (starts.TryGetValue(shard.ShardId, out var known))
            {
                return known;
            }
            var start = checkpoints.ContainsKey(shard.ShardId)
                ? ShardStart.AfterCheckpoint
                : shard.ParentShardId is { } parent
                    && (checkpoints.ContainsKey(parent) || (byId.TryGetValue(parent, out var p) && Of(p) is ShardStart.AfterCheckpoint or ShardStart.TrimHorizon))
                    ? ShardStart.TrimHorizon
                    : shard.IsClosed ? ShardStart.Skipped : ShardStart.Latest;
            starts[shard.ShardId] = start;
            return start;
        }
        foreach (var shard in shards)
        {
            Of(shard);
        }
        return starts;
    }

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

/// <summary>Where a shard is first read from in a term (see <see cref="ShardLineage.StartsAt"/>).</summary>
public enum ShardStart
{
    /// <summary>Open, nothing checkpointed on its line: from LATEST, after the start relist.</summary>
    Latest,
    /// <summary>Closed and nothing checkpointed on its line: not read (as before checkpoints).</summary>
    Skipped,
    /// <summary>AFTER_SEQUENCE_NUMBER its checkpoint, once its parent is finished.</summary>
    AfterCheckpoint,
    /// <summary>From its start, once its parent is finished: a child of a checkpointed shard.</summary>
    TrimHorizon,
}
