namespace Coordinator.Aws.Provisioning;

/// <summary>
/// A table the stack needs: name, hash key, optional range key. Every Coordinator table is created
/// PAY_PER_REQUEST with a NEW_AND_OLD_IMAGES stream, so those are not parameters.
/// </summary>
public sealed record TableDefinition(string Name, TableKey PartitionKey, TableKey? SortKey = null)
{
    /// <summary>Renders the key schema as "name (S, HASH), index (N, RANGE)" for messages.</summary>
    public string DescribeKeys() =>
        SortKey is null
            ? $"{PartitionKey.Name} ({PartitionKey.Type}, HASH)"
            : $"{PartitionKey.Name} ({PartitionKey.Type}, HASH), {SortKey.Name} ({SortKey.Type}, RANGE)";
}
