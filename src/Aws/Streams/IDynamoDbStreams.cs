namespace Coordinator.Aws.Streams;

/// <summary>
/// The four DynamoDB Streams operations the change feed needs. Ours because the package registry here serves no
/// AWSSDK.DynamoDBStreams and AWSSDK.DynamoDBv2 v4 dropped its Streams client; everything Streams-specific stays
/// behind this interface, in this folder, so the official client can replace <see cref="DynamoDbStreamsClient"/>
/// without touching the feed. Failures the caller must act on surface as <see cref="StreamsException"/>
/// (<see cref="StreamsException.IsExpiredIterator"/>, <see cref="StreamsException.IsTrimmedData"/>, ...).
/// </summary>
public interface IDynamoDbStreams
{
    /// <summary>One page of a stream's shards; pass LastEvaluatedShardId back as <paramref name="exclusiveStartShardId"/>.</summary>
    Task<StreamDescription> DescribeStreamAsync(string streamArn, string? exclusiveStartShardId, int? limit, CancellationToken ct);

    Task<string> GetShardIteratorAsync(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber, CancellationToken ct);

    /// <summary>Records after the iterator; NextShardIterator is null once a closed shard is exhausted.</summary>
    Task<GetRecordsResult> GetRecordsAsync(string shardIterator, int? limit, CancellationToken ct);

    Task<ListStreamsResult> ListStreamsAsync(string? tableName, string? exclusiveStartStreamArn, int? limit, CancellationToken ct);
}
