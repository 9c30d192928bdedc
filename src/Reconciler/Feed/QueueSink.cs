using System.Threading.Channels;
using Coordinator.Controllers.Metrics;
using Coordinator.Reconciler.Queue;
using Coordinator.Reconciler.Reconcile;
using Coordinator.Reconciler.Streams;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// Routes stream records into the work queue and relist requests into the feed. A record that names no job is
/// logged, counted and skipped: one bad record must never stop the feed.
/// </summary>
internal sealed partial class QueueSink(WorkQueue<JobKey> queue, ChannelWriter<string> relists, CoordinatorMetrics metrics, ILogger logger)
    : IFeedSink
{
    public void Deliver(StreamTable table, StreamRecord record)
    {
        try
        {
            var (job, _) = StreamRecordRouter.Route(table, record);
            if (job is not null)
            {
                queue.Add(new JobKey(job));
            }
        }
        catch (FormatException e)
        {
            var label = table.ToString().ToLowerInvariant();
            metrics.StreamRecordUndecodable(label);
            LogUndecodable(label, record.SequenceNumber, e.Message);
        }
    }

    /// <summary>Coalesces: while a relist is already pending, further requests add nothing.</summary>
    public void RequestRelist(string reason) => relists.TryWrite(reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped a {Table} stream record {SequenceNumber} that names no job: {Error}")]
    private partial void LogUndecodable(string table, string sequenceNumber, string error);
}
