using System.Globalization;
using Coordinator.Model.Tasks;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// The rows of <c>tasks NAME</c>: one per batch, with its state, attempt, exit code, Slurm id (array job_task),
/// host, how long the last attempt ran and why it ended. Wide adds records in/out, the heartbeat, the retry verdict and
/// the result key. Pure.
/// </summary>
public static class TaskTable
{
    private static readonly TableColumn[] Narrow =
    [
        new("INDEX", Elision.None, AlignRight: true),
        new("STATE", Elision.None),
        new("ATTEMPT", Elision.None, AlignRight: true),
        new("EXIT", Elision.None, AlignRight: true),
        new("SLURM", Elision.Middle, MinWidth: 8),
        new("HOST", Elision.End, MinWidth: 6),
        new("DURATION", Elision.None),
        new("REASON", Elision.End, MinWidth: 8),
    ];

    private static readonly TableColumn[] Wide =
    [
        new("INDEX", Elision.None, AlignRight: true),
        new("STATE", Elision.None),
        new("ATTEMPT", Elision.None, AlignRight: true),
        new("EXIT", Elision.None, AlignRight: true),
        new("SLURM", Elision.None),
        new("HOST", Elision.None),
        new("DURATION", Elision.None),
        new("RECORDS", Elision.None, AlignRight: true),
        new("HEARTBEAT", Elision.None),
        new("VERDICT", Elision.None),
        new("REASON", Elision.None),
        new("RESULT", Elision.None),
    ];

    public static string Render(IEnumerable<JobTask> tasks, bool wide, DateTimeOffset now, int width) => wide
        ? TextTable.Render(Wide, tasks.Select(t => WideRow(t, now)), maxWidth: null)
        : TextTable.Render(Narrow, tasks.Select(t => NarrowRow(t, now)), width);

    /// <summary>"jobid_arraytask" as squeue prints it, or "-" before the task ran.</summary>
    public static string SlurmId(JobTask task) => task.SlurmJobId is { Length: > 0 } id
        ? task.SlurmArrayTaskId is { Length: > 0 } arrayTask ? $"{id}_{arrayTask}" : id
        : "-";

    private static string?[] NarrowRow(JobTask t, DateTimeOffset now) =>
    [
        Number(t.Index),
        t.State.ToString(),
        Number(t.Attempt),
        t.ExitCode is { } code ? Number(code) : "-",
        SlurmId(t),
        t.Host ?? "-",
        Duration(t, now),
        t.Reason ?? "",
    ];

    /// <summary>The narrow row's columns up to the reason, then the wide-only ones.</summary>
    private static string?[] WideRow(JobTask t, DateTimeOffset now) =>
    [
        .. NarrowRow(t, now).AsSpan(0, 7),
        $"{Number(t.InputRecords)}→{(t.OutputRecords is { } output ? Number(output) : "-")}",
        t.Heartbeat is { } beat ? DurationText.Format(now - beat) + " ago" : "-",
        t.Verdict == TaskVerdict.None ? "-" : t.Verdict.ToString(),
        t.Reason ?? "",
        t.ResultKey ?? "-",
    ];

    private static string Duration(JobTask t, DateTimeOffset now) =>
        t.State is TaskState.Running or TaskState.Succeeded or TaskState.Failed or TaskState.Ignored
            ? DurationText.Elapsed(t.StartedAt, t.FinishedAt ?? (t.State == TaskState.Running ? null : t.StartedAt), now)
            : "-";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
