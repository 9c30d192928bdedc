using Coordinator.Aws.Streams;

namespace Coordinator.Reconciler.Feed;

/// <summary>Where a stream follower delivers what it reads, and how it asks for a full relist after a gap.</summary>
public interface IFeedSink
{
    void Deliver(StreamTable table, StreamRecord record);

    /// <summary>Changes may have been missed (trimmed data, an expired iterator with no position, a lost connection).</summary>
    void RequestRelist(string reason);
}
