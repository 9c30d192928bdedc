using System.Net;
using Coordinator.Aws.Streams;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// A fault-injecting decorator over the real DynamoDB Streams client: at <paramref name="rate"/>, GetRecords throws
/// ExpiredIteratorException, throws TrimmedDataAccessException, or returns its page with no next iterator (the shard
/// reads as closed: a rollover the feed must follow without losing records). Everything else passes through.
/// </summary>
internal sealed class FaultyStreams(IDynamoDbStreams inner, double rate, int seed) : IDynamoDbStreams
{
    private readonly Random _random = new(seed);
    private int _expired;
    private int _trimmed;
    private int _closed;
    private int _reads;

    public bool Enabled { get; set; } = true;
    public int Expired => _expired;
    public int Trimmed => _trimmed;
    public int Closed => _closed;
    public int Reads => _reads;

    public Task<StreamDescription> DescribeStreamAsync(string streamArn, string? exclusiveStartShardId, int? limit, CancellationToken ct) =>
        inner.DescribeStreamAsync(streamArn, exclusiveStartShardId, limit, ct);

    public Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken ct) =>
        inner.GetShardIteratorAsync(streamArn, shardId, type, sequenceNumber, ct);

    public Task<ListStreamsResult> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, int? limit, CancellationToken ct) =>
        inner.ListStreamsAsync(tableName, exclusiveStartStreamArn, limit, ct);

    public async Task<GetRecordsResult> GetRecordsAsync(string shardIterator, int? limit, CancellationToken ct)
    {
        Interlocked.Increment(ref _reads);
        double roll;
        lock (_random)
        {
            roll = Enabled ? _random.NextDouble() : 1;
        }
        if (roll < rate / 3)
        {
            Interlocked.Increment(ref _expired);
            throw new StreamsException("ExpiredIteratorException", "Iterator expired (injected by chaos)", HttpStatusCode.BadRequest);
        }
        if (roll < rate * 2 / 3)
        {
            Interlocked.Increment(ref _trimmed);
            throw new StreamsException("TrimmedDataAccessException", "Data trimmed (injected by chaos)", HttpStatusCode.BadRequest);
        }
        var result = await inner.GetRecordsAsync(shardIterator, limit, ct);
        if (roll < rate)
        {
            Interlocked.Increment(ref _closed);
            return result with { NextShardIterator = null };
        }
        return result;
    }
}
