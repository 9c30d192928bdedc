using System.Globalization;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Cli.Plan;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// status.partition as get, describe and watch show it: "12 batches cut, 1.2 GiB of 3.4 GiB read (35%)", with how old
/// the figures are, so progress left by an interrupted pass is never read as current. Pure.
/// </summary>
public static class PartitionProgressText
{
    public static string Describe(PartitionProgress p, DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Summary(p)} ({p.Fraction:0%}) from {p.Objects} object(s), updated {DurationText.Format(now - p.UpdatedAt)} ago");

    /// <summary>"12 batches cut, 1.2 GiB of 3.4 GiB read": watch's line and the start of <see cref="Describe"/>.</summary>
    public static string Summary(PartitionProgress p) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{p.BatchesCut} batches cut, {PlanReport.Size(p.BytesRead)} of {PlanReport.Size(p.BytesTotal)} read");

    /// <summary>The BATCHES cell while partitioning: "12 cut".</summary>
    public static string Cell(PartitionProgress p) => string.Create(CultureInfo.InvariantCulture, $"{p.BatchesCut} cut");
}
