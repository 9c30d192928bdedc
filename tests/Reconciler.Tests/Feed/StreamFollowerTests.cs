using System.Collections.Concurrent;
using System.Net;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Streams;
using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.Feed;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Reconciler.Tests.Feed;

/// <summary>
/// The follower's fault handling, driven by a scripted stand-in for the Streams API (the real API is exercised by the
/// contract and feed integration tests against moto and DynamoDB Local, which can't expire or trim on demand).
/// </summary>
public sealed class StreamFollowerTests
{
    private static readonly FeedOptions Fast = new()
    {
        MinPollInterval = TimeSpan.FromMilliseconds(5),
        MaxIdlePollInterval = TimeSpan.FromMilliseconds(10),
        ShardDiscoveryInterval = TimeSpan.FromMilliseconds(50),
        MaxErrorBackoff = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public async Task An_expired_iterator_is_reacquired_after_the_last_record_read()
    {
        var streams = new ScriptedStreams();
        streams.Shards.Add(new Shard("s1", null, "1", null));
        streams.Append("s1", "a", "b");
        var sink = new RecordingSink();
        using var metrics = new CoordinatorMetrics();
        streams.ExpireOnCall = 2; // the iterator returned with the first page expires

        await RunUntil(streams, sink, metrics, () => sink.Jobs.Count >= 3, () => streams.Append("s1", "c"));

        Assert.Equal(["a", "b", "c"], sink.Jobs.Take(3));
        Assert.Contains(streams.IteratorRequests, r => r == ("s1", "AFTER_SEQUENCE_NUMBER", "2"));
    }

    [Fact]
    public async Task Trimmed_data_asks_for_a_relist_and_reads_on_from_the_trim_horizon()
    {
        var streams = new ScriptedStreams();
        streams.Shards.Add(new Shard("s1", null, "1", null));
        streams.TrimNextGetRecords = true;
        streams.Append("s1", "a");
        var sink = new RecordingSink();
        using var metrics = new CoordinatorMetrics();

        await RunUntil(streams, sink, metrics, () => sink.Jobs.Contains("a"));

        Assert.Contains(sink.Relists, r => r.Contains("trimmed"));
        Assert.Contains(streams.IteratorRequests, r => r.Type == "TRIM_HORIZON");
    }

    [Fact]
    public async Task A_child_shard_is_read_from_its_start_only_after_its_parent_is_exhausted()
    {
        var streams = new ScriptedStreams();
        streams.Shards.Add(new Shard("parent", null, "1", null));
        var sink = new RecordingSink();
        using var metrics = new CoordinatorMetrics();

        await RunUntil(streams, sink, metrics, () => sink.Jobs.Count >= 4, () =>
        {
            streams.Append("parent", "p1");
            lock (streams.Shards)
            {
                streams.Shards[0] = new Shard("parent", null, "1", "99");
                streams.Shards.Add(new Shard("child", "parent", "100", null));
            }
            streams.Append("child", "c1", "c2");
            streams.Append("parent", "p2");
            streams.Close("parent");
        });

        Assert.Equal(["p1", "p2", "c1", "c2"], sink.Jobs);
        Assert.Contains(streams.IteratorRequests, r => r == ("child", "TRIM_HORIZON", null));
    }

    [Fact]
    public async Task Failing_reads_back_off_and_recovery_asks_for_a_relist()
    {
        var streams = new ScriptedStreams();
        streams.Shards.Add(new Shard("s1", null, "1", null));
        streams.FailNextGetRecords = 3;
        streams.Append("s1", "a");
        var sink = new RecordingSink();
        using var metrics = new CoordinatorMetrics();

        await RunUntil(streams, sink, metrics, () => sink.Jobs.Contains("a"));

        Assert.Contains(sink.Relists, r => r.Contains("recovered"));
    }

    [Fact]
    public async Task A_new_follower_resumes_after_the_checkpoint_of_the_last_one_and_skips_nothing_written_meanwhile()
    {
        var streams = new ScriptedStreams { LatestAtEnd = true };
        streams.Shards.Add(new Shard("s1", null, "1", null));
        var checkpoints = new MemoryCheckpoints();
        using var metrics = new CoordinatorMetrics();
        var first = new RecordingSink();
        await RunUntil(streams, first, metrics, () => first.Jobs.Count >= 2 && !checkpoints.Saved.IsEmpty, () => streams.Append("s1", "a", "b"), checkpoints);

        streams.Append("s1", "c", "d"); // while no leader follows the stream
        var second = new RecordingSink();
        await RunUntil(streams, second, metrics, () => second.Jobs.Count >= 2, checkpoints: checkpoints);

        Assert.Equal(["a", "b"], first.Jobs);
        Assert.Equal(["c", "d"], second.Jobs);
        Assert.Contains(streams.IteratorRequests, r => r == ("s1", "AFTER_SEQUENCE_NUMBER", "2"));
        Assert.Equal("4", checkpoints.Saved["s1"]);
    }

    [Fact]
    public async Task A_child_shard_the_last_follower_never_read_is_read_from_its_start_after_its_checkpointed_parent()
    {
        var streams = new ScriptedStreams { LatestAtEnd = true };
        streams.Shards.Add(new Shard("parent", null, "1", null));
        var checkpoints = new MemoryCheckpoints();
        using var metrics = new CoordinatorMetrics();
        var first = new RecordingSink();
        await RunUntil(streams, first, metrics, () => first.Jobs.Count >= 1 && !checkpoints.Saved.IsEmpty, () => streams.Append("parent", "p1"), checkpoints);

        // While no leader follows: the parent gets one more record and closes; its child gets two.
        streams.Append("parent", "p2");
        lock (streams.Shards)
        {
            streams.Shards[0] = new Shard("parent", null, "1", "99");
            streams.Shards.Add(new Shard("child", "parent", "100", null));
        }
        streams.Append("child", "c1", "c2");
        streams.Close("parent");
        var second = new RecordingSink();
        await RunUntil(streams, second, metrics, () => second.Jobs.Count >= 3, checkpoints: checkpoints);

        Assert.Equal(["p2", "c1", "c2"], second.Jobs);
        Assert.Contains(streams.IteratorRequests, r => r == ("child", "TRIM_HORIZON", null));
    }

    [Fact]
    public async Task A_trimmed_checkpoint_reads_from_the_trim_horizon_and_asks_for_a_relist()
    {
        var streams = new ScriptedStreams { LatestAtEnd = true };
        streams.Shards.Add(new Shard("s1", null, "1", null));
        var checkpoints = new MemoryCheckpoints();
        checkpoints.Saved["s1"] = "7"; // long gone
        streams.TrimNextGetRecords = true;
        streams.Append("s1", "a");
        using var metrics = new CoordinatorMetrics();
        var sink = new RecordingSink();

        await RunUntil(streams, sink, metrics, () => sink.Jobs.Contains("a"), checkpoints: checkpoints);

        Assert.Contains(streams.IteratorRequests, r => r == ("s1", "AFTER_SEQUENCE_NUMBER", "7"));
        Assert.Contains(streams.IteratorRequests, r => r == ("s1", "TRIM_HORIZON", null));
        Assert.Contains(sink.Relists, r => r.Contains("trimmed"));
    }

    [Fact]
    public async Task Without_checkpoints_open_shards_are_read_from_latest_as_before()
    {
        var streams = new ScriptedStreams { LatestAtEnd = true };
        streams.Shards.Add(new Shard("s1", null, "1", null));
        streams.Append("s1", "old");
        using var metrics = new CoordinatorMetrics();
        var sink = new RecordingSink();

        await RunUntil(streams, sink, metrics, () => sink.Jobs.Contains("new"), () => streams.Append("s1", "new"), new MemoryCheckpoints());

        Assert.Equal(["new"], sink.Jobs);
        Assert.Contains(streams.IteratorRequests, r => r == ("s1", "LATEST", null));
    }

    private static async Task RunUntil(ScriptedStreams streams, RecordingSink sink, CoordinatorMetrics metrics, Func<bool> done, Action? afterPositioned = null,
        IShardCheckpoints? checkpoints = null)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var follower = new StreamFollower(StreamTable.Jobs, _ => Task.FromResult("arn"), streams, sink, Fast, metrics, NullLogger.Instance,
            checkpoints: checkpoints);
        var running = follower.RunAsync(stop.Token);
        await follower.Positioned;
        afterPositioned?.Invoke();
        while (!done() && !stop.IsCancellationRequested)
        {
            await Task.Delay(5);
        }
        await stop.CancelAsync();
        await running;
        Assert.True(done(), $"condition not reached; delivered: {string.Join(",", sink.Jobs)}");
    }

    private sealed class RecordingSink : IFeedSink
    {
        public ConcurrentQueue<string> JobsQueue { get; } = new();
        public List<string> Jobs => [.. JobsQueue];
        public ConcurrentBag<string> Relists { get; } = [];
        public void Deliver(StreamTable table, StreamRecord record) => JobsQueue.Enqueue(record.Keys["name"].S);
        public void RequestRelist(string reason) => Relists.Add(reason);
    }

    /// <summary>Checkpoints of one stream, kept in memory; every save is accepted.</summary>
    private sealed class MemoryCheckpoints : IShardCheckpoints
    {
        public ConcurrentDictionary<string, string> Saved { get; } = new();

        public Task<IReadOnlyDictionary<string, string>> LoadAsync(StreamTable table, string streamArn, IReadOnlyCollection<string> shardIds, CancellationToken ct) =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(Saved.Where(p => shardIds.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value));

        public Task<bool> SaveAsync(StreamTable table, string streamArn, string shardId, string sequenceNumber, CancellationToken ct)
        {
            Saved[shardId] = sequenceNumber;
            return Task.FromResult(true);
        }
    }

    /// <summary>Shards as lists of records; an iterator is "shard|position".</summary>
    private sealed class ScriptedStreams : IDynamoDbStreams
    {
        private readonly ConcurrentDictionary<string, List<StreamRecord>> _records = new();
        private long _sequence;
        public List<Shard> Shards { get; } = [];
        private readonly ConcurrentDictionary<string, bool> _closed = new();
        public ConcurrentQueue<(string Shard, string Type, string? After)> IteratorRequestQueue { get; } = new();
        public List<(string Shard, string Type, string? After)> IteratorRequests => [.. IteratorRequestQueue];
        public int ExpireOnCall { get; set; } = -1;
        public bool TrimNextGetRecords { get; set; }
        public int FailNextGetRecords { get; set; }
        /// <summary>LATEST positions after the records already there (as the real API does), not at the start.</summary>
        public bool LatestAtEnd { get; init; }
        private int _getRecordsCalls;

        public void Close(string shard) => _closed[shard] = true;

        public void Append(string shard, params string[] names)
        {
            var list = _records.GetOrAdd(shard, _ => []);
            lock (list)
            {
                foreach (var name in names)
                {
                    var seq = Interlocked.Increment(ref _sequence).ToString();
                    list.Add(new StreamRecord(seq, "INSERT", seq, DateTimeOffset.UtcNow, 1,
                        new Dictionary<string, AttributeValue> { ["name"] = new() { S = name } }, null, null));
                }
            }
        }

        public Task<StreamDescription> DescribeStreamAsync(string streamArn, string? exclusiveStartShardId, int? limit, CancellationToken ct)
        {
            lock (Shards)
            {
                return Task.FromResult(new StreamDescription(streamArn, "ENABLED", "jobs", [.. Shards], null));
            }
        }

        public Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken ct)
        {
            IteratorRequestQueue.Enqueue((shardId, StreamsWire.IteratorTypeName(type), sequenceNumber));
            var list = _records.GetOrAdd(shardId, _ => []);
            int position;
            lock (list)
            {
                position = type switch
                {
                    ShardIteratorType.TrimHorizon => 0,
                    ShardIteratorType.Latest => LatestAtEnd ? list.Count : 0, // else as if everything in the script arrived after positioning
                    ShardIteratorType.AfterSequenceNumber => list.FindIndex(r => r.SequenceNumber == sequenceNumber) + 1,
                    _ => list.FindIndex(r => r.SequenceNumber == sequenceNumber),
                };
            }
            return Task.FromResult($"{shardId}|{position}");
        }

        public Task<GetRecordsResult> GetRecordsAsync(string shardIterator, int? limit, CancellationToken ct)
        {
            var call = Interlocked.Increment(ref _getRecordsCalls);
            if (FailNextGetRecords > 0)
            {
                FailNextGetRecords--;
                throw new HttpRequestException("connection refused");
            }
            if (TrimNextGetRecords)
            {
                TrimNextGetRecords = false;
                throw new StreamsException("TrimmedDataAccessException", "trimmed", HttpStatusCode.BadRequest);
            }
            if (call == ExpireOnCall)
            {
                throw new StreamsException("ExpiredIteratorException", "expired", HttpStatusCode.BadRequest);
            }
            var parts = shardIterator.Split('|');
            var list = _records.GetOrAdd(parts[0], _ => []);
            lock (list)
            {
                var position = int.Parse(parts[1]);
                var page = list.Skip(position).Take(limit ?? 1000).ToList();
                var next = position + page.Count;
                var exhausted = _closed.ContainsKey(parts[0]) && next >= list.Count;
                return Task.FromResult(new GetRecordsResult(page, exhausted ? null : $"{parts[0]}|{next}"));
            }
        }

        public Task<ListStreamsResult> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, int? limit, CancellationToken ct) =>
            Task.FromResult(new ListStreamsResult([new StreamSummary("arn", "jobs", null)], null));
    }
}
