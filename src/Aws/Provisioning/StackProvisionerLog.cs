using Microsoft.Extensions.Logging;

namespace Coordinator.Aws.Provisioning;

/// <summary>Source-generated log messages of <see cref="StackProvisioner"/>.</summary>
internal static partial class StackProvisionerLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Creating table {Table} with keys {Keys}")]
    public static partial void CreatingTable(ILogger logger, string table, string keys);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Enabling the NEW_AND_OLD_IMAGES stream on table {Table}")]
    public static partial void EnablingStream(ILogger logger, string table);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "Table {Table} has a {ViewType} stream; replacing it with NEW_AND_OLD_IMAGES (readers of the old stream must restart)")]
    public static partial void ReplacingStream(ILogger logger, string table, string? viewType);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Creating bucket {Bucket}")]
    public static partial void CreatingBucket(ILogger logger, string bucket);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Table {Table} is {Status}; waiting for ACTIVE")]
    public static partial void WaitingForTable(ILogger logger, string table, string status);

}
