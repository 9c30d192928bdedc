using System.Collections.Concurrent;

namespace Coordinator.Reconciler.Hosting;

/// <summary>
/// The daemon's loops say they still turn: the lease loop on every campaign or renewal attempt (won or not: an AWS outage
/// is not a hang), the reconcile loop on its own tick while this daemon leads. <see cref="SystemdWatchdog"/> sends
/// systemd's keep-alive only while every loop that is running has beaten recently, so a deadlocked loop, a starved
/// thread pool or a stopped process stops the keep-alives and systemd restarts the daemon (WatchdogSec in the unit).
/// A loop that ends says so (<see cref="Retire"/>): the reconcile loop of a term that ended is not a silent loop.
/// </summary>
public sealed class DaemonLiveness(TimeProvider? time = null)
{
    public const string LeaseLoop = "lease";
    public const string ReconcileLoop = "reconcile";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, long> _lastBeat = new(StringComparer.Ordinal);

    public void Beat(string loop) => _lastBeat[loop] = _time.GetTimestamp();

    public void Retire(string loop) => _lastBeat.TryRemove(loop, out _);

    /// <summary>The running loops that have not beaten within <paramref name="within"/>, and for how long; empty when all turn.</summary>
    public IReadOnlyList<(string Loop, TimeSpan Silent)> SilentLoops(TimeSpan within) =>
        _lastBeat.Select(b => (Loop: b.Key, Silent: _time.GetElapsedTime(b.Value)))
            .Where(b => b.Silent > within)
            .OrderBy(b => b.Loop, StringComparer.Ordinal)
            .ToList();

    /// <summary>True once any loop has beaten (before that, the daemon is still starting: systemd's start timeout covers it).</summary>
    public bool Started => !_lastBeat.IsEmpty;
}
