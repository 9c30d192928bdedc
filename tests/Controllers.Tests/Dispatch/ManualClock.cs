namespace Coordinator.Controllers.Tests.Dispatch;

/// <summary>
/// A clock that moves only when told: the outage backoff measures its waits on it, and the daemon's monotonic
/// observations (<see cref="TimeProvider.GetTimestamp"/>) move with it.
/// </summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _now.UtcTicks;

    public void Advance(TimeSpan by) => _now += by;
}
