namespace Coordinator.Controllers.Retry;

/// <summary>
/// The one capped exponential backoff every retry in Coordinator uses (pure): a batch's retry delay
/// (<see cref="RetryPolicy"/>), the work queue's per-key failure backoff, the change feed's poll and error pacing, the
/// Slurm outage pacing and the delays of the Polly retry loops that wait between whole operations. Each caller keeps
/// its own figures and says how it numbers attempts, by the exponent it passes.
/// </summary>
public static class Backoff
{
    /// <summary>From this exponent on the delay is <c>max</c>, whatever the initial delay: no overflow for large counts.</summary>
    public const int MaxExponent = 62;

    /// <summary>
    /// <paramref name="initial"/> × <paramref name="factor"/>^<paramref name="exponent"/>, capped at <paramref name="max"/>.
    /// A negative exponent counts as 0; an exponent of <see cref="MaxExponent"/> or more gives <paramref name="max"/>.
    /// </summary>
    public static TimeSpan Exponential(int exponent, TimeSpan initial, TimeSpan max, double factor = 2)
    {
        if (exponent >= MaxExponent)
        {
            return max;
        }
        var ticks = initial.Ticks * Math.Pow(factor, Math.Max(exponent, 0));
        return ticks >= max.Ticks ? max : TimeSpan.FromTicks((long)ticks);
    }
}
