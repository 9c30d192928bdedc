using Coordinator.Controllers.Ports;

namespace Coordinator.Reconciler.LeaderElection;

/// <summary>The daemon's leadership guard, fed by <see cref="LeaderElector"/>.</summary>
public sealed class LeaseGuard(TimeProvider time, TimeSpan leaseDuration, TimeSpan safetyMargin) : ILeadershipGuard
{
    private readonly Lock _gate = new();
    private long _term;
    private bool _holding;

    public LeaseGuard(LeaderElectionOptions options, TimeProvider? time = null)
        : this(time ?? TimeProvider.System, options.LeaseDuration, options.SafetyMargin)
    {
    }

    public long? Term
    {
        get
        {
            lock (_gate)
            {
                return _term;
            }
        }
    }

    public TimeSpan LeaseDuration => leaseDuration;

    public TimeSpan SafetyMargin => safetyMargin;

    public TimeProvider Time => time;

    public void Held(long term, long sentAt)
    {
        lock (_gate)
        {
            _term = term;
            _holding = sentAt >= 0;
        }
    }

    public void Dropped()
    {
        lock (_gate)
        {
            _holding = false;
        }
    }

    public bool MayActNow()
    {
        lock (_gate)
        {
            return _holding;
        }
    }
}
