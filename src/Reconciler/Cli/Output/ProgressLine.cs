using System.Globalization;
using System.Text;
using Coordinator.Model.Spec;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// One line of <c>watch</c>: phase, a bar of batches ended out of the total, the count, the rate and the ETA, e.g.
/// <c>Running [#########...........] 12/40 batches (1 failed) 2.1/s ETA 13s</c>. The bar takes whatever
/// <c>width</c> leaves, so the line never wraps (a wrapped line cannot be redrawn in place). Pure.
/// </summary>
public static class ProgressLine
{
    private const int MinBar = 10;
    private const int MaxBar = 40;

    public static string Render(Job job, double? rate, TimeSpan? eta, int width)
    {
        var s = job.Status;
        var phase = s.Phase.ToString();
        if (s.Batches.Total == 0 && s.Partition is { } progress)
        {
            return WithBar(phase, PartitionProgressText.Summary(progress), progress.Fraction, 1, width);
        }
        if (s.Batches.Total == 0)
        {
            var waiting = $"{phase}  (no batches yet{(s.Message is { Length: > 0 } m ? ": " + m : "")})";
            return TextTable.Elide(waiting, width, Elision.End);
        }
        var ended = s.Batches.Succeeded + s.Batches.Failed;
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.Append(c, $"{s.Batches.Succeeded}/{s.Batches.Total} batches");
        if (s.Batches.Failed > 0)
        {
            text.Append(c, $" ({s.Batches.Failed} failed)");
        }
        if (s.Batches.Running > 0)
        {
            text.Append(c, $", {s.Batches.Running} running");
        }
        text.Append(rate is { } r ? string.Format(c, "  {0:0.0}/s", r) : "  -/s");
        text.Append("  ETA ").Append(PhaseEnded(job) ? "0s" : DurationText.Format(eta));
        return WithBar(phase, text.ToString(), ended, s.Batches.Total, width);
    }

    /// <summary>"phase [###....] text", the bar filled done/total and as wide as the line leaves; no bar when too narrow.</summary>
    private static string WithBar(string phase, string text, double done, double total, int width)
    {
        var bar = Math.Clamp(width - phase.Length - text.Length - 4, 0, MaxBar);
        if (bar < MinBar)
        {
            return TextTable.Elide($"{phase}  {text}", width, Elision.End);
        }
        var filled = (int)Math.Round(bar * done / total, MidpointRounding.ToZero);
        return $"{phase} [{new string('#', filled)}{new string('.', bar - filled)}] {text}";
    }

    private static bool PhaseEnded(Job job) => Coordinator.Model.Status.PhaseTransitions.IsTerminal(job.Status.Phase);
}
