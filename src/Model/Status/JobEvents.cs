namespace Coordinator.Model.Status;

/// <summary>
/// The bounded, deduplicated list of recent events on a job (<see cref="JobStatus.Events"/>). Pure: callers decide when
/// to write. An event equal in type, reason and message to one already listed adds to its count and moves its last
/// time; any other is appended, and past <see cref="MaxEvents"/> the one seen longest ago goes.
/// </summary>
public static class JobEvents
{
    /// <summary>How many distinct events a job keeps (what `describe` shows).</summary>
    public const int MaxEvents = 10;

    /// <summary>Longest message kept; the rest is cut with an ellipsis, so a huge error cannot bloat the item.</summary>
    public const int MaxMessageLength = 600;

    /// <summary>Records <paramref name="recorded"/> (its count and times) into <paramref name="events"/>; returns the listed entry.</summary>
    public static JobEvent Record(List<JobEvent> events, JobEvent recorded)
    {
        var message = Cut(recorded.Message);
        var existing = events.FirstOrDefault(e => e.Type == recorded.Type && e.Reason == recorded.Reason && e.Message == message);
        if (existing is not null)
        {
            existing.Count += recorded.Count;
            if (recorded.LastTimestamp > existing.LastTimestamp)
            {
                existing.LastTimestamp = recorded.LastTimestamp;
            }
            if (recorded.FirstTimestamp < existing.FirstTimestamp)
            {
                existing.FirstTimestamp = recorded.FirstTimestamp;
            }
            events.Remove(existing);
            events.Add(existing);
            return existing;
        }
        var added = new JobEvent
        {
            Type = recorded.Type,
            Reason = recorded.Reason,
            Message = message,
            Count = recorded.Count,
            FirstTimestamp = recorded.FirstTimestamp,
            LastTimestamp = recorded.LastTimestamp,
        };
        events.Add(added);
        while (events.Count > MaxEvents)
        {
            events.Remove(events.MinBy(e => e.LastTimestamp)!);
        }
        return added;
    }

    /// <summary>A single occurrence at <paramref name="at"/>.</summary>
    public static JobEvent Once(string type, string reason, string message, DateTimeOffset at) =>
        new() { Type = type, Reason = reason, Message = Cut(message), Count = 1, FirstTimestamp = at, LastTimestamp = at };

    private static string Cut(string message) =>
        message.Length > MaxMessageLength ? message[..MaxMessageLength] + "…" : message;
}
