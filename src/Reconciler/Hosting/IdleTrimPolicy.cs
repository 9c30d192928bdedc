namespace Coordinator.Reconciler.Hosting;

/// <summary>
/// When the idle daemon gives its freed heap back to the OS. A burst of reconciles grows the GC's budgets and leaves
/// freed regions committed, and even an idle daemon allocates a little on every stream poll and lease renewal, so its
/// resident size drifts up to the gen0 budget (measured: 91 -> 107 MB over a minute). The policy trims once reconciles
/// have stopped for <see cref="QuietPeriod"/>, and while the quiet lasts, again whenever the working set has grown by
/// <see cref="RegrowthBytes"/> since the last trim. A trim is one compacting full collection of a small heap (a few
/// milliseconds); a daemon that keeps working is never interrupted by it.
/// </summary>
public sealed record IdleTrimPolicy(TimeSpan QuietPeriod, long RegrowthBytes)
{
    /// <summary>The default: ten seconds without a reconcile starting; then on 4 MiB of regrowth.</summary>
    public static IdleTrimPolicy Default { get; } = new(TimeSpan.FromSeconds(10), 4L << 20);

    /// <summary>
    /// Decides one check. <paramref name="lastActivity"/> is when the last reconcile started (or the daemon started);
    /// <paramref name="lastTrim"/> and <paramref name="trimmedWorkingSet"/> describe the last trim, null before any.
    /// </summary>
    public bool ShouldTrim(DateTimeOffset lastActivity, DateTimeOffset? lastTrim, long trimmedWorkingSet,
        DateTimeOffset now, long workingSet)
    {
        if (now - lastActivity < QuietPeriod || now - lastTrim < QuietPeriod)
        {
            return false;
        }
        var trimmedThisSpell = lastTrim is { } trimmed && trimmed > lastActivity;
        return !trimmedThisSpell || workingSet - trimmedWorkingSet >= RegrowthBytes;
    }
}
