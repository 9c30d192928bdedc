using Coordinator.Aws.Streams;
using Coordinator.Controllers.Metrics;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// Follows one table's stream and hands every record to the sink. At (re)start, a shard the last leader checkpointed
/// (<see cref="IShardCheckpoints"/>, in the leases table) is read after its checkpoint and its unread children from
/// TRIM_HORIZON; other open shards are read from LATEST (the feed lists right after, so nothing before that matters)
/// and shards that appear later from TRIM_HORIZON, each only once its parent is finished. Records handed on are
/// checkpointed at most every CheckpointInterval. An active shard is polled every MinPollInterval (Daemon:Feed:ActivePollsPerSecond, 4 calls/s by default), an idle one slowing to 1/s.
/// An expired iterator is re-acquired after the last sequence number read; trimmed data, an expiry with no position,
/// and recovery after failures all ask the sink to relist, so a gap never loses work. It never exits on an error.
/// </summary>
public sealed partial class StreamFollower(
    StreamTable table,
    Func<CancellationToken, Task<string>> resolveStreamArn,
    IDynamoDbStreams streams,
    IFeedSink sink,
    FeedOptions options,
    CoordinatorMetrics metrics,
    ILogger logger,
    TimeProvider? time = null,
    IShardCheckpoints? checkpoints = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly TaskCompletionSource _positioned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _label = table.ToString().ToLowerInvariant();

    /// <summary>Completes once iterators for the open shards exist (or the first attempt failed): list after this.</summary>
    public Task Positioned => _positioned.Task;

    public async Task RunAsync(CancellationToken ct)
    {
        var recovering = false;
        var follow = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && !(e is OperationCanceledException && ct.IsCancellationRequested)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(PollPacer.ErrorBackoff(options, args.AttemptNumber + 1)),
                OnRetry = args =>
                {
                    recovering = true;
                    _positioned.TrySetResult();
                    LogStreamFailed(args.Outcome.Exception!, _label, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await follow.ExecuteAsync(async token =>
                {
                    var arn = await resolveStreamArn(token).ConfigureAwait(false);
                    await FollowAsync(arn, recovering, token).ConfigureAwait(false);
                }, ct).ConfigureAwait(false);
                recovering = false;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
        }
        _positioned.TrySetResult();
    }

    private async Task FollowAsync(string arn, bool recovering, CancellationToken ct)
    {
        var known = await DescribeAllAsync(arn, ct).ConfigureAwait(false);
        var saved = await LoadCheckpointsAsync(arn, known, ct).ConfigureAwait(false);
        var starts = ShardLineage.StartsAt(known, saved);
        var finished = new HashSet<string>(known.Where(s => starts[s.ShardId] == ShardStart.Skipped).Select(s => s.ShardId), StringComparer.Ordinal);
        var cursors = new Dictionary<string, ShardCursor>(StringComparer.Ordinal);
        var endedAt = new Dictionary<string, ShardCursor>(StringComparer.Ordinal);
        foreach (var shard in known.Where(s => starts[s.ShardId] == ShardStart.Latest))
        {
            var cursor = new ShardCursor(shard, ShardIteratorType.Latest);
            cursor.Iterator = await streams.GetShardIteratorAsync(arn, shard.ShardId, ShardIteratorType.Latest, null, ct).ConfigureAwait(false);
            cursors[shard.ShardId] = cursor;
        }
        _positioned.TrySetResult();
        if (recovering)
        {
            sink.RequestRelist($"{_label} stream recovered");
        }
        LogFollowing(_label, arn, cursors.Count);
        if (saved.Count > 0)
        {
            var children = starts.Count(s => s.Value == ShardStart.TrimHorizon);
            LogResuming(_label, saved.Count, children);
        }

        var nextDiscovery = _time.GetUtcNow() + options.ShardDiscoveryInterval;
        while (!ct.IsCancellationRequested)
        {
            foreach (var shard in ShardLineage.Readable(known, finished))
            {
                if (!cursors.ContainsKey(shard.ShardId))
                {
                    // A shard checkpointed by the last leader continues after its checkpoint; any other from its start.
                    var checkpoint = saved.GetValueOrDefault(shard.ShardId);
                    cursors[shard.ShardId] = new ShardCursor(shard, ShardIteratorType.TrimHorizon)
                    {
                        NextPollAt = _time.GetUtcNow(),
                        LastSequenceNumber = checkpoint,
                        Checkpointed = checkpoint,
                    };
                }
            }
            var discover = false;
            foreach (var cursor in cursors.Values.Where(c => c.NextPollAt <= _time.GetUtcNow()).ToList())
            {
                if (!await PollAsync(arn, cursor, ct).ConfigureAwait(false))
                {
                    finished.Add(cursor.Shard.ShardId);
                    endedAt[cursor.Shard.ShardId] = cursor;
                    cursors.Remove(cursor.Shard.ShardId);
                    discover = true;
                }
            }
            if (discover || _time.GetUtcNow() >= nextDiscovery)
            {
                known = await DescribeAllAsync(arn, ct).ConfigureAwait(false);
                nextDiscovery = _time.GetUtcNow() + options.ShardDiscoveryInterval;
                ReopenShardsStillDescribedOpen(known, finished, endedAt, cursors);
            }
            var wakeAt = cursors.Count == 0 ? nextDiscovery : cursors.Values.Min(c => c.NextPollAt);
            if (wakeAt > nextDiscovery)
            {
                wakeAt = nextDiscovery;
            }
            await DelayAsync(wakeAt - _time.GetUtcNow(), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A shard whose read ended (no next iterator) but which DescribeStream still lists as open (no ending sequence
    /// number) is read again after its last record (with a relist when no record was read yet). Without this the follower stopped
    /// reading such a shard for good and missed every later record until the next resync (minutes): found by the chaos
    /// stream-fault test. DescribeStream can lag a real rollover, and emulators can end an iterator on an open shard;
    /// re-reading a shard that really is closed just ends again at once.
    /// </summary>
    private void ReopenShardsStillDescribedOpen(
        List<Shard> known, HashSet<string> finished, Dictionary<string, ShardCursor> endedAt, Dictionary<string, ShardCursor> cursors)
    {
        foreach (var shard in known.Where(s => !s.IsClosed && finished.Contains(s.ShardId) && !cursors.ContainsKey(s.ShardId)))
        {
            finished.Remove(shard.ShardId);
            var ended = endedAt.GetValueOrDefault(shard.ShardId);
            cursors[shard.ShardId] = new ShardCursor(shard, ended?.StartAt ?? ShardIteratorType.TrimHorizon)
            {
                LastSequenceNumber = ended?.LastSequenceNumber,
                NextPollAt = _time.GetUtcNow() + options.MinPollInterval,
            };
            endedAt.Remove(shard.ShardId);
            if (ended?.LastSequenceNumber is null)
            {
                // Nothing to continue after: records written meanwhile may be skipped by a fresh iterator.
                sink.RequestRelist($"{_label} shard {shard.ShardId} ended but is still open");
            }
        }
    }

    /// <summary>Polls one shard once; false when the shard is closed and read to its end.</summary>
    private async Task<bool> PollAsync(string arn, ShardCursor cursor, CancellationToken ct)
    {
        try
        {
            cursor.Iterator ??= await AcquireIteratorAsync(arn, cursor, ct).ConfigureAwait(false);
            // Pace from the start of the call: calls stay >= MinPollInterval apart (ActivePollsPerSecond) and a slow
            // GetRecords does not add its own duration to every record's wait.
            var pollStarted = _time.GetUtcNow();
            metrics.StreamGetRecordsCalled(_label);
            var page = await streams.GetRecordsAsync(cursor.Iterator, options.GetRecordsLimit, ct).ConfigureAwait(false);
            foreach (var bad in page.Undecodable)
            {
                metrics.StreamRecordUndecodable(_label);
                LogUndecodable(_label, bad.SequenceNumber ?? "?", bad.Error);
                cursor.LastSequenceNumber = bad.SequenceNumber ?? cursor.LastSequenceNumber;
            }
            foreach (var record in page.Records)
            {
                sink.Deliver(table, record);
                cursor.LastSequenceNumber = record.SequenceNumber;
                if (record.ApproximateCreationDateTime is { } created)
                {
                    metrics.StreamLag(_label, _time.GetUtcNow() - created);
                }
            }
            if (page.Records.Count > 0)
            {
                metrics.StreamRecordsRead(_label, page.Records.Count);
            }
            if (cursor.Errors > 0)
            {
                cursor.Errors = 0;
                sink.RequestRelist($"{_label} stream reads recovered");
            }
            cursor.EmptyPolls = page.Records.Count + page.Undecodable.Count == 0 ? cursor.EmptyPolls + 1 : 0;
            cursor.Iterator = page.NextShardIterator;
            await CheckpointAsync(arn, cursor, ended: page.NextShardIterator is null, ct).ConfigureAwait(false);
            cursor.NextPollAt = pollStarted + PollPacer.NextInterval(options, cursor.EmptyPolls);
            return page.NextShardIterator is not null;
        }
        catch (StreamsException e) when (e.IsExpiredIterator)
        {
            metrics.StreamIteratorRenewed(_label);
            cursor.Iterator = null;
            if (cursor.LastSequenceNumber is null)
            {
                sink.RequestRelist($"{_label} iterator expired before any record was read");
            }
            LogIteratorExpired(_label, cursor.Shard.ShardId);
            cursor.NextPollAt = _time.GetUtcNow();
            return true;
        }
        catch (StreamsException e) when (e.IsTrimmedData)
        {
            cursor.Iterator = null;
            cursor.LastSequenceNumber = null;
            cursor.StartAt = ShardIteratorType.TrimHorizon;
            sink.RequestRelist($"{_label} stream data trimmed");
            LogTrimmed(_label, cursor.Shard.ShardId);
            cursor.NextPollAt = _time.GetUtcNow() + options.MinPollInterval;
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException && !(e is StreamsException { IsResourceNotFound: true }))
        {
            cursor.Errors++;
            cursor.Iterator = cursor.Errors > 2 ? null : cursor.Iterator;
            var backoff = PollPacer.ErrorBackoff(options, cursor.Errors);
            LogPollFailed(e, _label, cursor.Shard.ShardId, cursor.Errors, backoff);
            cursor.NextPollAt = _time.GetUtcNow() + backoff;
            return true;
        }
    }

    /// <summary>
    /// The last leader's checkpoints of the listed shards and their parents; none (LATEST and the start relist, as
    /// without checkpoints) when there is no store or it cannot be read.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> LoadCheckpointsAsync(string arn, List<Shard> known, CancellationToken ct)
    {
        if (checkpoints is null)
        {
            return new Dictionary<string, string>();
        }
        var ids = known.Select(s => s.ShardId).Concat(known.Select(s => s.ParentShardId).OfType<string>()).Distinct(StringComparer.Ordinal).ToList();
        try
        {
            return await checkpoints.LoadAsync(table, arn, ids, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCheckpointLoadFailed(e, _label);
            return new Dictionary<string, string>();
        }
    }

    /// <summary>
    /// Checkpoints the shard after its records were handed to the sink: at most every CheckpointInterval, and when the
    /// shard was read to its end. A refused or failed write is logged and tried again later; it never stops the reads
    /// (the next leader then re-reads a little more, and relists at its start anyway).
    /// </summary>
    private async Task CheckpointAsync(string arn, ShardCursor cursor, bool ended, CancellationToken ct)
    {
        if (checkpoints is null || cursor.LastSequenceNumber is not { } last || last == cursor.Checkpointed
            || (!ended && _time.GetUtcNow() < cursor.NextCheckpointAt))
        {
            return;
        }
        cursor.NextCheckpointAt = _time.GetUtcNow() + options.CheckpointInterval;
        try
        {
            if (await checkpoints.SaveAsync(table, arn, cursor.Shard.ShardId, last, ct).ConfigureAwait(false))
            {
                cursor.Checkpointed = last;
            }
            else
            {
                LogCheckpointRefused(_label, cursor.Shard.ShardId);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogCheckpointFailed(e, _label, cursor.Shard.ShardId);
        }
    }

    private Task<string> AcquireIteratorAsync(string arn, ShardCursor cursor, CancellationToken ct) =>
        cursor.LastSequenceNumber is { } last
            ? streams.GetShardIteratorAsync(arn, cursor.Shard.ShardId, ShardIteratorType.AfterSequenceNumber, last, ct)
            : streams.GetShardIteratorAsync(arn, cursor.Shard.ShardId, cursor.StartAt, null, ct);

    private async Task<List<Shard>> DescribeAllAsync(string arn, CancellationToken ct)
    {
        var shards = new List<Shard>();
        string? start = null;
        do
        {
            var page = await streams.DescribeStreamAsync(arn, start, 100, ct).ConfigureAwait(false);
            shards.AddRange(page.Shards);
            start = page.LastEvaluatedShardId;
        }
        while (start is not null);
        return shards;
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Following the {Table} stream {StreamArn} ({Shards} open shards)")]
    private partial void LogFollowing(string table, string streamArn, int shards);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming the {Table} stream after {Checkpoints} shard checkpoints ({Children} unread child shards from their start)")]
    private partial void LogResuming(string table, int checkpoints, int children);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the {Table} stream's checkpoints failed; following from LATEST (the start relist covers the gap)")]
    private partial void LogCheckpointLoadFailed(Exception exception, string table);

    [LoggerMessage(Level = LogLevel.Information, Message = "Checkpoint of {Table} shard {ShardId} refused: not the leader, or a newer term wrote it")]
    private partial void LogCheckpointRefused(string table, string shardId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint of {Table} shard {ShardId} failed; trying again later")]
    private partial void LogCheckpointFailed(Exception exception, string table, string shardId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Table} stream failed ({Failures} in a row); retrying")]
    private partial void LogStreamFailed(Exception exception, string table, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped an undecodable {Table} stream record {SequenceNumber}: {Error}")]
    private partial void LogUndecodable(string table, string sequenceNumber, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Iterator of {Table} shard {ShardId} expired; re-acquiring")]
    private partial void LogIteratorExpired(string table, string shardId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Data of {Table} shard {ShardId} was trimmed; relisting")]
    private partial void LogTrimmed(string table, string shardId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "GetRecords on {Table} shard {ShardId} failed ({Errors} in a row); next try in {Backoff}")]
    private partial void LogPollFailed(Exception exception, string table, string shardId, int errors, TimeSpan backoff);
}
