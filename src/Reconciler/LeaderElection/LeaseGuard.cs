using Coordinator.Controllers.Ports;

namespace Coordinator.Reconciler.LeaderElection;

/// <summary>
/// The daemon's leadership guard (<see cref="ILeadershipGuard"/>), fed by <see cref="LeaderElector"/>: the term of the
/// lease this daemon last held, and whether it may cause a side effect now. "Now" is judged on demand, on this daemon's
/// monotonic clock, never by a timer: a renewal timer starved on a busy thread pool, or a process paused (SIGSTOP, a
/// long GC) past its lease, finds the guard closed the moment it next asks, before anything reaches Slurm.
/// <para>
/// The lease counts from the moment the last successful lease write was <em>sent</em> (not answered): the write took
/// effect no earlier, and a follower counts its lease duration from when it saw the write, so the leader's view expires
/// first. Side effects stop <see cref="LeaderElectionOptions.SafetyMargin"/> before that, which covers the time one takes to reach Slurm and
/// the rate drift between two head nodes' clocks.
/// </para>
/// </summary>
public sealed class LeaseGuard(TimeProvider time, TimeSpan leaseDuration, TimeSpan safetyMargin) : ILeadershipGuard
{
    private readonly Lock _gate = new();
    private long _term;
    private long _sentAt;
    private bool _holding;

    public LeaseGuard(LeaderElectionOptions options, TimeProvider? time = null)
        : this(time ?? TimeProvider.System, options.LeaseDuration, options.SafetyMargin)
    {
    }

    /// <summary>The term of the lease this daemon last held (0 before it ever led, so its writes are refused on any led item).</summary>
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

    /// <summary>What is left of the lease on this daemon's clock (zero when it does not hold it).</summary>
    public TimeSpan Remaining
    {
        get
        {
            lock (_gate)
            {
                if (!_holding)
                {
                    return TimeSpan.Zero;
                }
                var left = leaseDuration - time.GetElapsedTime(_sentAt);
                return left > TimeSpan.Zero ? left : TimeSpan.Zero;
            }
        }
    }

    /// <summary>
    /// A lease write of term <paramref name="term"/> succeeded; <paramref name="sentAt"/> is the
    /// <see cref="TimeProvider.GetTimestamp"/> taken just before it was sent.
    /// </summary>
    public void Held(long term, long sentAt)
    {
        lock (_gate)
        {
            _term = term;
            _sentAt = sentAt;
            _holding = true;
        }
    }

    /// <summary>The lease is lost, taken over or released: refuse at once. The term is kept (writes under it are refused).</summary>
    public void Dropped()
    {
        lock (_gate)
        {
            _holding = false;
        }
    }

    public bool MayActNow() => Remaining > safetyMargin;
}
