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
        var phase = s.Phase.ToString();
        if (s.Batches.Total == 0 && s.Partition is { } progress)
        {
            var cut = string.Format(c, "{0} batches cut, {1} of {2} read", progress.BatchesCut,
                Plan.PlanReport.Size(progress.BytesRead), Plan.PlanReport.Size(progress.BytesTotal));
            var barRoom = Math.Clamp(width - phase.Length - cut.Length - 4, 0, MaxBar);
            if (barRoom < MinBar)
            {
                return TextTable.Elide($"{phase}  {cut}", width, Elision.End);
            }
            var done = (int)Math.Round(barRoom * progress.Fraction, MidpointRounding.ToZero);
            return $"{phase} [{new string('#', done)}{new string('.', barRoom - done)}] {cut}";
        }
        if (s.Batches.Total == 0)
        {
            var waiting = $"{phase}  (no batches yet{(s.Message is { Length: > 0 } m ? ": " + m : "")})";
            return TextTable.Elide(waiting, width, Elision.End);
        }
        var room = width - phase.Length - text.Length - 4;
        var bar = Math.Clamp(room, 0, MaxBar);
        if (bar < MinBar)
        {
            return TextTable.Elide($"{phase}  {text}", width, Elision.End);
        }
        var filled = (int)Math.Round(bar * (double)ended / s.Batches.Total, MidpointRounding.ToZero);
        return $"{phase} [{new string('#', filled)}{new string('.', bar - filled)}] {text}";
    }

    private static bool PhaseEnded(Job job) => Coordinator.Model.Status.PhaseTransitions.IsTerminal(job.Status.Phase);
}
