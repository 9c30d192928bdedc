namespace Coordinator.Aws.Provisioning;

/// <summary>One key attribute of a table: its name and DynamoDB scalar type ("S" or "N").</summary>
public sealed record TableKey(string Name, string Type);
