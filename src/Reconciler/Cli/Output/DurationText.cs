using System.Globalization;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>Short human durations for tables and the progress line, kubectl style: 42s, 3m12s, 2h5m, 3d4h. Pure.</summary>
public static class DurationText
{
    public static string Format(TimeSpan? span)
    {
        if (span is not { } value)
        {
            return "-";
        }
        if (value < TimeSpan.Zero)
        {
            value = TimeSpan.Zero;
        }
        var c = CultureInfo.InvariantCulture;
        return value.TotalSeconds < 60 ? string.Format(c, "{0}s", (int)value.TotalSeconds)
            : value.TotalMinutes < 60 ? string.Format(c, "{0}m{1}s", (int)value.TotalMinutes, value.Seconds)
            : value.TotalHours < 24 ? string.Format(c, "{0}h{1}m", (int)value.TotalHours, value.Minutes)
            : string.Format(c, "{0}d{1}h", (int)value.TotalDays, value.Hours);
    }

    /// <summary>How long the job has run: until it completed, or until <paramref name="now"/>; "-" before it started.</summary>
    public static string Elapsed(DateTimeOffset? startedAt, DateTimeOffset? completedAt, DateTimeOffset now) =>
        startedAt is { } start ? Format((completedAt ?? now) - start) : "-";
}
