using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers.Pipeline;

/// <summary>Source-generated log messages of the partition and store controllers; job, generation and counts are fields.</summary>
internal static partial class PartitionLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information,
        Message = "Partitioned {Job} generation {Generation}: {Batches} batches ({Written} written, {Reused} reused), {Records} records, {BlankLines} blank lines skipped")]
    public static partial void Partitioned(ILogger logger, string job, long generation, int batches, int written, int reused, long records, long blankLines);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning,
        Message = "Input of {Job} generation {Generation} refused ({Reason}) at {Object} {Location}: {Detail}")]
    public static partial void InputRefused(ILogger logger, string job, long generation, string reason, string @object, string location, string detail);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information,
        Message = "Stored {Tasks} task items for {Job} generation {Generation}")]
    public static partial void Stored(ILogger logger, string job, long generation, int tasks);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information,
        Message = "Removed what older generations of {Job} left before generation {Generation}: {Items} task items, {Objects} objects")]
    public static partial void OlderGenerationsRemoved(ILogger logger, string job, long generation, int items, int objects);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error,
        Message = "Manifest of {Job} generation {Generation} is unusable: {Detail}")]
    public static partial void ManifestUnusable(ILogger logger, string job, long generation, string detail);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Information,
        Message = "Progress of {Job} generation {Generation} not written ({Detail}): the job changed meanwhile; partitioning goes on and the pass is re-read when it ends")]
    public static partial void ProgressConflict(ILogger logger, string job, long generation, string detail);
}
