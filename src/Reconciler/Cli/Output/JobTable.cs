using System.Globalization;
using Coordinator.Model.Spec;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// The rows of <c>get jobs</c>. The narrow table keeps what fits 80 columns (name, phase, batches done of total,
/// failed, how long it ran, and as much of the message as is left); <c>-o wide</c> adds the generation, running
/// batches, records in and out, dispatch mode and labels. Pure.
/// </summary>
public static class JobTable
{
    private static readonly TableColumn[] Narrow =
    [
        new("NAME", Elision.Middle, MinWidth: 16),
        new("PHASE", Elision.None),
        new("BATCHES", Elision.None, AlignRight: true),
        new("FAILED", Elision.None, AlignRight: true),
        new("DURATION", Elision.None),
        new("MESSAGE", Elision.End, MinWidth: 10),
    ];

    private static readonly TableColumn[] Wide =
    [
        new("NAME", Elision.None),
        new("PHASE", Elision.None),
        new("GEN", Elision.None, AlignRight: true),
        new("BATCHES", Elision.None, AlignRight: true),
        new("RUNNING", Elision.None, AlignRight: true),
        new("FAILED", Elision.None, AlignRight: true),
        new("RECORDS", Elision.None, AlignRight: true),
        new("MODE", Elision.None),
        new("DURATION", Elision.None),
        new("LABELS", Elision.None),
        new("MESSAGE", Elision.None),
    ];

    public static string Render(IEnumerable<Job> jobs, bool wide, DateTimeOffset now, int width) => wide
        ? TextTable.Render(Wide, jobs.Select(j => WideRow(j, now)), maxWidth: null)
        : TextTable.Render(Narrow, jobs.Select(j => NarrowRow(j, now)), width);

    private static string?[] NarrowRow(Job job, DateTimeOffset now) =>
    [
        job.Name,
        Phase(job),
        Batches(job),
        Number(job.Status.Batches.Failed),
        DurationText.Elapsed(job.Status.StartedAt, job.Status.CompletedAt, now),
        Message(job),
    ];

    private static string?[] WideRow(Job job, DateTimeOffset now) =>
    [
        job.Name,
        Phase(job),
        job.Generation.ToString(CultureInfo.InvariantCulture),
        Batches(job),
        Number(job.Status.Batches.Running),
        Number(job.Status.Batches.Failed),
        $"{Number(job.Status.Records.Input)}→{Number(job.Status.Records.Output)}",
        job.Spec.Dispatch.Mode.ToString().ToLowerInvariant(),
        DurationText.Elapsed(job.Status.StartedAt, job.Status.CompletedAt, now),
        Labels(job.Labels),
        Message(job),
    ];

    /// <summary>"done/total" batches; "N cut" while partitioning; "-" before partitioning has counted them.</summary>
    public static string Batches(Job job) => job.Status.Batches.Total == 0
        ? job.Status.Partition is { } progress ? PartitionProgressText.Cell(progress) : "-"
        : $"{Number(job.Status.Batches.Succeeded)}/{Number(job.Status.Batches.Total)}";

    public static string Labels(IReadOnlyDictionary<string, string> labels) => labels.Count == 0
        ? "-"
        : string.Join(",", labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>The phase, or "Undecodable" for an item the daemon could not read (it will turn Invalid).</summary>
    private static string Phase(Job job) => job.DecodeErrors.Count > 0 && job.Status.Phase == Coordinator.Model.Status.JobPhase.Pending
        ? "Undecodable"
        : job.Status.Phase.ToString();

    private static string Message(Job job) => job.Status.Message is { Length: > 0 } message
        ? message
        : job.DecodeErrors.FirstOrDefault() ?? "";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
