using System.Threading.Channels;
using Coordinator.Aws.Items;
using Coordinator.Aws.Streams;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Errors;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// Routes stream records into the work queue and relist requests into the feed. A record that names no job is
/// logged, counted and skipped: one bad record must never stop the feed. Task images also go to the
/// <see cref="TaskEventLog"/>, so status passes fold in what changed instead of re-reading every task.
/// </summary>
internal sealed partial class QueueSink(
    WorkQueue<JobKey> queue, ChannelWriter<string> relists, CoordinatorMetrics metrics, ILogger logger, TaskEventLog? taskEvents = null)
    : IFeedSink
{
    /// <summary>
    /// Task events wake their job at most this late, and a burst of them wakes it once: a pilot records dozens of
    /// batches a second, and a reconcile per event (job read, status write) loaded the store those workers need.
    /// User edits to the job item still wake it at once.
    /// </summary>
    public static readonly TimeSpan TaskEventCoalescing = TimeSpan.FromSeconds(1);

    public void Deliver(StreamTable table, StreamRecord record)
    {
        try
        {
            var (job, _) = StreamRecordRouter.Route(table, record);
            if (table == StreamTable.Tasks && taskEvents is not null && record.NewImage is { } image)
            {
                taskEvents.Record(TaskItemCodec.Decode(image));
            }
            if (job is not null && table == StreamTable.Tasks)
            {
                queue.AddAfter(new JobKey(job), TaskEventCoalescing);
            }
            else if (job is not null)
            {
                queue.Add(new JobKey(job));
            }
        }
        catch (Exception e) when (e is FormatException or ItemFormatException)
        {
            var label = table.ToString().ToLowerInvariant();
            metrics.StreamRecordUndecodable(label);
            LogUndecodable(label, record.SequenceNumber, e.Message);
        }
    }

    /// <summary>Coalesces: while a relist is already pending, further requests add nothing.</summary>
    public void RequestRelist(string reason)
    {
        taskEvents?.MarkGap();
        relists.TryWrite(reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a {Table} stream record {SequenceNumber} that names no job: {Error}")]
    private partial void LogUndecodable(string table, string sequenceNumber, string error);
}
