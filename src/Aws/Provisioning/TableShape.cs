namespace Coordinator.Aws.Provisioning;

/// <summary>Pure decisions on an existing table's shape, kept apart from the I/O so they are unit tested.</summary>
public static class TableShape
{
    /// <summary>
    /// Null when <paramref name="actualKeys"/> (name, attribute type, HASH/RANGE) matches <paramref name="expected"/>,
    /// else a message naming the table, what it has and what Coordinator needs. A mismatched table is never
    /// altered: its data belongs to someone, and DynamoDB cannot change keys in place anyway.
    /// </summary>
    public static string? KeySchemaMismatch(
        TableDefinition expected, IReadOnlyList<(string Name, string Type, string KeyType)> actualKeys)
    {
        var hash = actualKeys.Where(k => k.KeyType == "HASH").ToList();
        var range = actualKeys.Where(k => k.KeyType == "RANGE").ToList();
        var matches = hash.Count == 1
            && hash[0].Name == expected.PartitionKey.Name && hash[0].Type == expected.PartitionKey.Type
            && (expected.SortKey is null
                ? range.Count == 0
                : range.Count == 1 && range[0].Name == expected.SortKey.Name && range[0].Type == expected.SortKey.Type);
        if (matches)
        {
            return null;
        }
        var actual = string.Join(", ", actualKeys.Select(k => $"{k.Name} ({k.Type}, {k.KeyType})"));
        return $"table {expected.Name} exists with key schema [{actual}] but Coordinator needs [{expected.DescribeKeys()}]; " +
               "delete it or configure another table name (Coordinator:JobsTable / TasksTable / LeasesTable)";
    }

    /// <summary>The change that makes a stream (enabled?, view type) into an enabled NEW_AND_OLD_IMAGES stream.</summary>
    public static StreamChange StreamChangeFor(bool? streamEnabled, string? viewType) =>
        streamEnabled != true ? StreamChange.Enable
        : viewType == StackLayout.StreamViewType ? StreamChange.None
        : StreamChange.Replace;
}
