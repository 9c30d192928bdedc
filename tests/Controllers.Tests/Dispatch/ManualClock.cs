namespace Coordinator.Controllers.Tests.Dispatch;

/// <summary>A clock that moves only when told: the outage backoff measures its waits on it.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
