namespace Coordinator.Model.Status;

/// <summary>
/// One recent event on a job, kept in <c>status.events</c> the way Kubernetes keeps Events: a repeat of the same
/// type, reason and message is not a new entry but <see cref="Count"/> + 1 and a later <see cref="LastTimestamp"/>.
/// What the daemon met that a user must see without reading its log (a reconcile error that keeps coming back, a task
/// item it could not read). See <see cref="JobEvents"/> for the bound and the dedupe.
/// </summary>
public sealed class JobEvent
{
    /// <summary><see cref="JobEventTypes.Normal"/> or <see cref="JobEventTypes.Warning"/>.</summary>
    public string Type { get; set; } = JobEventTypes.Warning;
    public string Reason { get; set; } = "";
    public string Message { get; set; } = "";
    /// <summary>How many times it happened between <see cref="FirstTimestamp"/> and <see cref="LastTimestamp"/>.</summary>
    public long Count { get; set; } = 1;
    public DateTimeOffset FirstTimestamp { get; set; }
    public DateTimeOffset LastTimestamp { get; set; }
}

/// <summary>The two event types Kubernetes uses.</summary>
public static class JobEventTypes
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}
