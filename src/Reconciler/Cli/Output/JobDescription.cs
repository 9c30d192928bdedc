using System.Globalization;
using System.Text;
using Coordinator.Model.Documents;
using Coordinator.Model.Loading;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// The text of <c>describe job NAME</c>, kubectl describe style: identity and status, batch and record counts, the
/// Slurm submissions the tasks ran in, the conditions as a table, the most recent failed attempts with the last lines
/// of their stderr, the resolved spec as YAML, and last the job's recent events (status.events). Pure: the verb reads the job and its tasks and passes them in.
/// </summary>
public static class JobDescription
{
    /// <summary>How many failed attempts are shown, newest first.</summary>
    public const int RecentFailures = 5;
    /// <summary>How many trailing stderr lines are shown per failure (the task item keeps the last 4 KiB).</summary>
    public const int StderrLines = 10;

    public static string Render(Job job, IReadOnlyList<JobTask> tasks, DateTimeOffset now, int width)
    {
        var sb = new StringBuilder();
        var s = job.Status;
        Field(sb, "Name", job.Name);
        Field(sb, "Labels", JobTable.Labels(job.Labels));
        Field(sb, "Phase", $"{s.Phase} (generation {job.Generation}, observed {s.ObservedGeneration})");
        Field(sb, "Message", s.Message is { Length: > 0 } m ? m : "-");
        Field(sb, "Started", Time(s.StartedAt, now));
        Field(sb, "Completed", Time(s.CompletedAt, now));
        Field(sb, "Duration", DurationText.Elapsed(s.StartedAt, s.CompletedAt, now));
        if (s.Partition is { } progress)
        {
            Field(sb, "Partitioning", PartitionProgressText.Describe(progress, now));
        }
        Field(sb, "Batches", s.Batches.Total == 0
            ? "- (not partitioned yet)"
            : $"{N(s.Batches.Succeeded)}/{N(s.Batches.Total)} succeeded, {N(s.Batches.Running)} running, " +
              $"{N(s.Batches.Pending)} pending, {N(s.Batches.Failed)} failed");
        Field(sb, "Completed indexes", Or(s.CompletedIndexes));
        Field(sb, "Failed indexes", Or(s.FailedIndexes));
        Field(sb, "Records", $"{N(s.Records.Input)} in, {N(s.Records.Output)} out, {N(s.Records.Failed)} failed{(s.Records.Rejected > 0 ? $", {N(s.Records.Rejected)} rejected" : "")}");
        Field(sb, "Output", s.Output is { } o ? $"{o.Uri} (manifest {Or(o.Manifest)}, sha256 {Or(o.Sha256)})" : "-");
        Field(sb, "Slurm jobs", SlurmJobs(job, tasks));
        if (job.DecodeErrors.Count > 0)
        {
            sb.Append("Decode errors:\n");
            foreach (var error in job.DecodeErrors)
            {
                sb.Append("  ").Append(error).Append('\n');
            }
        }

        sb.Append("Conditions:\n");
        if (s.Conditions.Count == 0)
        {
            sb.Append("  (none)\n");
        }
        else
        {
            var columns = new TableColumn[]
            {
                new("TYPE", Elision.None), new("STATUS", Elision.None), new("REASON", Elision.End, 8),
                new("AGE", Elision.None), new("MESSAGE", Elision.End, 10),
            };
            var rows = s.Conditions.Select(c => new string?[]
            {
                c.Type, c.Status, c.Reason, DurationText.Format(now - c.LastTransitionTime), c.Message,
            });
            Indent(sb, TextTable.Render(columns, rows, width - 2));
        }

        AppendFailures(sb, tasks);
        sb.Append("Spec:\n");
        Indent(sb, YamlWriter.Write(JobDocument.Write(job)));
        AppendEvents(sb, s.Events, now, width);
        return sb.ToString();
    }

    /// <summary>kubectl's Events table: oldest first, AGE since the last time, and "(xN over D)" for repeats.</summary>
    private static void AppendEvents(StringBuilder sb, List<JobEvent> events, DateTimeOffset now, int width)
    {
        sb.Append("Events:\n");
        if (events.Count == 0)
        {
            sb.Append("  (none)\n");
            return;
        }
        Indent(sb, EventsTable(events, now, width - 2));
    }

    /// <summary>The events as a table (TYPE, REASON, AGE, MESSAGE), oldest first: `describe`'s section and the `events` verb.</summary>
    public static string EventsTable(IEnumerable<JobEvent> events, DateTimeOffset now, int width)
    {
        var columns = new TableColumn[]
        {
            new("TYPE", Elision.None), new("REASON", Elision.End, 8), new("AGE", Elision.None), new("MESSAGE", Elision.End, 10),
        };
        var rows = events.OrderBy(e => e.LastTimestamp).Select(e => new string?[]
        {
            e.Type, e.Reason,
            e.Count > 1
                ? $"{DurationText.Format(now - e.LastTimestamp)} (x{N(e.Count)} over {DurationText.Format(e.LastTimestamp - e.FirstTimestamp)})"
                : DurationText.Format(now - e.LastTimestamp),
            e.Message,
        });
        return TextTable.Render(columns, rows, width);
    }

    /// <summary>The distinct Slurm job ids the job's tasks ran under, plus the current dispatch intent's.</summary>
    public static string SlurmJobs(Job job, IReadOnlyList<JobTask> tasks)
    {
        var ids = tasks.Select(t => t.SlurmJobId).Append(job.Status.Dispatch?.SlurmJobId)
            .Where(id => !string.IsNullOrEmpty(id)).Select(id => id!).Distinct(StringComparer.Ordinal)
            .OrderBy(id => long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : long.MaxValue)
            .ToList();
        return ids.Count == 0 ? "-" : string.Join(", ", ids);
    }

    /// <summary>Failed attempts, newest first: failed tasks, and tasks waiting for a retry after a failed attempt.</summary>
    public static IReadOnlyList<JobTask> Failures(IReadOnlyList<JobTask> tasks) => tasks
        .Where(t => t.State == TaskState.Failed
            || (t.State is TaskState.Pending or TaskState.Dispatched && t.Attempt > 0 && (t.ExitCode is not (null or 0) || t.Reason is { Length: > 0 })))
        .OrderByDescending(t => t.FinishedAt ?? DateTimeOffset.MinValue).ThenBy(t => t.Index)
        .Take(RecentFailures)
        .ToList();

    private static void AppendFailures(StringBuilder sb, IReadOnlyList<JobTask> tasks)
    {
        var failures = Failures(tasks);
        sb.Append("Recent failures:\n");
        if (failures.Count == 0)
        {
            sb.Append("  (none)\n");
            return;
        }
        foreach (var t in failures)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"  batch {t.Index}: {t.State}, attempt {t.Attempt}, exit {(t.ExitCode is { } e ? N(e) : "-")}, " +
                $"reason {Or(t.Reason)}, Slurm {TaskTable.SlurmId(t)}, host {Or(t.Host)}\n");
            var lines = (t.StderrTail ?? "").Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
            if (lines is [""])
            {
                sb.Append("    (no stderr)\n");
                continue;
            }
            if (lines.Length > StderrLines)
            {
                sb.Append(CultureInfo.InvariantCulture, $"    … {lines.Length - StderrLines} earlier lines (coordinator logs {t.Job} --batch {t.Index})\n");
            }
            foreach (var line in lines.TakeLast(StderrLines))
            {
                sb.Append("    | ").Append(line).Append('\n');
            }
        }
    }

    private static void Field(StringBuilder sb, string name, string value) =>
        sb.Append((name + ":").PadRight(20)).Append(value).Append('\n');

    private static void Indent(StringBuilder sb, string text)
    {
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            sb.Append("  ").Append(line).Append('\n');
        }
    }

    private static string Time(DateTimeOffset? at, DateTimeOffset now) => at is { } t
        ? $"{t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}Z ({DurationText.Format(now - t)} ago)"
        : "-";

    private static string Or(string? text) => string.IsNullOrEmpty(text) ? "-" : text;

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
