using Coordinator.Controllers.Retry;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// When to poll a shard next (pure). A poll that returned records is followed at the minimum interval, because more
/// are likely; after <see cref="FeedOptions.EmptyPollsBeforeIdle"/> empty polls the interval grows by half each time up
/// to the idle maximum, so an idle daemon costs DynamoDB almost nothing. Errors back off exponentially.
/// </summary>
public static class PollPacer
{
    public static TimeSpan NextInterval(FeedOptions options, int emptyPollsInARow)
    {
        if (emptyPollsInARow < options.EmptyPollsBeforeIdle)
        {
            return options.MinPollInterval;
        }
        var steps = Math.Min(emptyPollsInARow - options.EmptyPollsBeforeIdle + 1, 60);
        return Backoff.Exponential(steps, options.MinPollInterval, options.MaxIdlePollInterval, factor: 1.5);
    }

    /// <summary>min interval × 2^errors, capped at the maximum error backoff.</summary>
    public static TimeSpan ErrorBackoff(FeedOptions options, int errorsInARow) =>
        Backoff.Exponential(Math.Min(errorsInARow, 30), options.MinPollInterval, options.MaxErrorBackoff);

    /// <summary>The resync period plus up to <see cref="FeedOptions.ResyncJitter"/> of it, drawn from <paramref name="unit"/> in [0, 1).</summary>
    public static TimeSpan JitteredResync(FeedOptions options, double unit) =>
        options.ResyncPeriod + TimeSpan.FromTicks((long)(options.ResyncPeriod.Ticks * options.ResyncJitter * unit));
}
