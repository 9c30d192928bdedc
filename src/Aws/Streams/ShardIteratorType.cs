namespace Coordinator.Aws.Streams;

/// <summary>Where a shard iterator starts; the names are the wire values.</summary>
public enum ShardIteratorType
{
    TrimHorizon,
    Latest,
    AtSequenceNumber,
    AfterSequenceNumber,
}
