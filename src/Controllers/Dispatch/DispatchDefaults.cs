namespace Coordinator.Controllers.Dispatch;

/// <summary>Timings of dispatch and status tracking, in one place.</summary>
public static class DispatchDefaults
{
    /// <summary>A Running task whose heartbeat is older than this is lost (six missed 15 s beats).</summary>
    public static readonly TimeSpan HeartbeatStaleAfter = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Shortest interval between two full reads of a job's tasks. Task-stream events wake a job far more often than
    /// that; within the interval the last read is reused, so the cost is bounded by time, not by events.
    /// </summary>
    public static readonly TimeSpan RescanInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Longest a job's task view is kept up to date from task-stream events alone before every task is read again (the
    /// periodic full recount that heals anything the stream could not say).
    /// </summary>
    public static readonly TimeSpan FullRecountInterval = TimeSpan.FromSeconds(60);

    /// <summary>How often a running job is looked at again when no event arrives.</summary>
    public static readonly TimeSpan RunningRequeue = TimeSpan.FromSeconds(5);
}
