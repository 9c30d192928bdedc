namespace Coordinator.Aws.Provisioning;

/// <summary>What must happen to a table's stream to make it NEW_AND_OLD_IMAGES.</summary>
public enum StreamChange
{
    None,
    Enable,
    /// <summary>DynamoDB cannot change a stream's view type in place: disable, then enable.</summary>
    Replace,
}
