using System.ComponentModel.DataAnnotations;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// Change-feed settings, bound from "Daemon:Feed". DynamoDB Streams has no long poll, so the latency from a write to
/// its reconcile is set by how often an active shard is polled: <see cref="ActivePollsPerSecond"/> (default 4, as AWS
/// Lambda polls streams; at most 10). A shard idle for a while slows down to the idle interval (1 s).
/// </summary>
public sealed class FeedOptions
{
    public const string SectionName = "Daemon:Feed";

    /// <summary>Full relist of active jobs this often (default 5 min), jittered by <see cref="ResyncJitter"/>.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Fraction of the resync period added at random (default 0.1), so several daemons never relist in step.</summary>
    [Range(0.0, 1.0)]
    public double ResyncJitter { get; set; } = 0.1;

    /// <summary>
    /// GetRecords calls per second on an active shard (default 4, at most 10): a write is seen after half the interval
    /// on average (125 ms at 4/s, 50 ms at 10/s) plus one round trip. DynamoDB documents 5 calls/s per shard as
    /// the safe rate; above it, throttled calls back off (<see cref="MaxErrorBackoff"/>).
    /// </summary>
    [Range(1.0, 10.0)]
    public double ActivePollsPerSecond { get; set; } = 4;

    private TimeSpan? _minPollInterval;

    /// <summary>
    /// Shortest gap between GetRecords calls on one shard: 1 / <see cref="ActivePollsPerSecond"/> (250 ms by default)
    /// unless set explicitly (tests set a few milliseconds). Also the base of the error backoff.
    /// </summary>
    public TimeSpan MinPollInterval
    {
        get => _minPollInterval ?? TimeSpan.FromSeconds(1 / Math.Clamp(ActivePollsPerSecond, 1, 10));
        set => _minPollInterval = value;
    }

    /// <summary>Longest gap between polls of an idle shard (default 1 s).</summary>
    public TimeSpan MaxIdlePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Empty polls in a row before a shard counts as idle and its polling slows down (default 25, about 6 s at 4/s).</summary>
    [Range(1, 100_000)]
    public int EmptyPollsBeforeIdle { get; set; } = 25;

    /// <summary>How often shards are re-described to find new ones (default 30 s; also right after a shard closes).</summary>
    public TimeSpan ShardDiscoveryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most records asked for per GetRecords call (default 1000, the service maximum).</summary>
    [Range(1, 1000)]
    public int GetRecordsLimit { get; set; } = 1000;

    /// <summary>
    /// How often the leader sweeps the jobs table for finished jobs whose <c>status.expiresAt</c> (ttlAfterFinished)
    /// has passed and enqueues them for deletion (default 30 s; also once at the start of every term).
    /// </summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Shortest gap between two checkpoints of one shard in the leases table (default 2 s): a checkpoint is written
    /// after records were handed to the queue, at most this often, and always when a shard is read to its end.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest backoff after throttling or a failing connection (default 10 s).</summary>
    public TimeSpan MaxErrorBackoff { get; set; } = TimeSpan.FromSeconds(10);
}
