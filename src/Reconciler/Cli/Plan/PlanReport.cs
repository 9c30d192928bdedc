using System.Globalization;
using System.Text;

namespace Coordinator.Reconciler.Cli.Plan;

/// <summary>
/// The batch and dispatch plan printed after the resolved spec, as YAML comments, so <c>coordinator plan</c>'s
/// output stays a valid job file (<c>plan -f a.yaml &gt; resolved.yaml</c> still works). Pure.
/// </summary>
public static class PlanReport
{
    public static string Render(string inputUri, BatchPlan batches, IReadOnlyList<string> dispatch, string? dispatchNote)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(c, $"# Batch plan (count-only pass over {inputUri}; nothing was uploaded):\n");
        sb.Append(c, $"#   input: {batches.Objects} object{(batches.Objects == 1 ? "" : "s")}, {Size(batches.InputBytes)}, {batches.Records} records");
        sb.Append(batches.BlankLines > 0 ? string.Format(c, " ({0} blank lines skipped)\n", batches.BlankLines) : "\n");
        sb.Append(c, $"#   batches: {batches.Batches}, {Size(batches.TotalBytes)} in all\n");
        sb.Append(c, $"#   records per batch: {batches.MinRecords}..{batches.MaxRecords}; bytes per batch: {Size(batches.MinBytes)}..{Size(batches.MaxBytes)}\n");
        sb.Append("# Dispatch plan:\n");
        foreach (var line in dispatch)
        {
            sb.Append("#   ").Append(line).Append('\n');
        }
        if (dispatchNote is not null)
        {
            sb.Append("#   (").Append(dispatchNote).Append(")\n");
        }
        return sb.ToString();
    }

    /// <summary>A note in place of the batch plan when the input could not be read.</summary>
    public static string Unavailable(string inputUri, string reason) =>
        $"# Batch plan: not available ({inputUri}: {reason})\n";

    /// <summary>Bytes in binary units with one decimal (452.8 KiB), exact below 1 KiB (exact sizes are in -o json of get job).</summary>
    public static string Size(long bytes)
    {
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }
        var value = bytes / 1024.0;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
