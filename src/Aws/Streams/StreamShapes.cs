using Amazon.DynamoDBv2.Model;

namespace Coordinator.Aws.Streams;

/// <summary>A page of DescribeStream: the stream's shards, and where to continue (null when this was the last page).</summary>
public sealed record StreamDescription(string StreamArn, string? StreamStatus, string? TableName,
    IReadOnlyList<Shard> Shards, string? LastEvaluatedShardId);

/// <summary>
/// One shard. <see cref="EndingSequenceNumber"/> is set once the shard is closed (no new records will arrive);
/// <see cref="ParentShardId"/> names the shard whose records precede this one's and must be read first.
/// </summary>
public sealed record Shard(string ShardId, string? ParentShardId, string? StartingSequenceNumber, string? EndingSequenceNumber)
{
    public bool IsClosed => EndingSequenceNumber is not null;
}

/// <summary>
/// A page of GetRecords; <see cref="NextShardIterator"/> is null when a closed shard has been read to its end.
/// Records that could not be read are listed in <see cref="Undecodable"/> (with their sequence number when it could be
/// found) instead of failing the page, so one bad record never costs the reader its place in the shard.
/// </summary>
public sealed record GetRecordsResult(IReadOnlyList<StreamRecord> Records, string? NextShardIterator)
{
    public IReadOnlyList<UndecodableRecord> Undecodable { get; init; } = [];
}

/// <summary>A stream record that could not be read, and why.</summary>
public sealed record UndecodableRecord(string? SequenceNumber, string Error);

/// <summary>
/// One change to an item. Images use the SDK's <see cref="AttributeValue"/>, the same shape GetItem returns, so the
/// model's codecs decode stream images exactly as they decode table items.
/// </summary>
public sealed record StreamRecord(
    string EventId,
    string EventName,
    string SequenceNumber,
    DateTimeOffset? ApproximateCreationDateTime,
    long SizeBytes,
    Dictionary<string, AttributeValue> Keys,
    Dictionary<string, AttributeValue>? NewImage,
    Dictionary<string, AttributeValue>? OldImage);

public sealed record StreamSummary(string StreamArn, string? TableName, string? StreamLabel);

public sealed record ListStreamsResult(IReadOnlyList<StreamSummary> Streams, string? LastEvaluatedStreamArn);
