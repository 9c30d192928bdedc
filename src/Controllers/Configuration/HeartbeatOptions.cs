using System.ComponentModel.DataAnnotations;

namespace Coordinator.Controllers.Configuration;

/// <summary>
/// Section "Coordinator:Heartbeat": how often a running task's heartbeat is written (the worker) and, derived from
/// it, when a Running task whose heartbeat has not moved counts as lost (the status, dispatch and aggregate views).
/// One setting, so the two cannot drift apart.
/// </summary>
public sealed class HeartbeatOptions
{
    /// <summary>Beats a task may miss before it is lost.</summary>
    public const int MissedBeatsBeforeLost = 6;

    /// <summary>How often a running task's heartbeat is written (default 15 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A Running task whose heartbeat is older than this is lost: <see cref="MissedBeatsBeforeLost"/> ×
    /// <see cref="Interval"/> (90 s by default). Computed, not a setting.
    /// </summary>
    public TimeSpan StaleAfter => Interval * MissedBeatsBeforeLost;
}
