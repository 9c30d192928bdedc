using System.Globalization;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// What the Slurm --comment of a submission carries: the dispatch token (so a restarted daemon finds the submission
/// instead of repeating it) and how array ids map to batches — "{token}@{offset}" in array mode (one batch per task),
/// "{token}@{offset}x{perTask}" for packs of batches, "{token}@pilot" in pilot mode. squeue alone then tells which
/// batches are in flight, with nothing stored per task.
/// </summary>
public readonly record struct SubmissionComment(string Token, int? Offset, int PerTask = 1)
{
    public bool IsPilot => Offset is null;

    /// <summary>The batch indices array task <paramref name="arrayIndex"/> covers (array mode).</summary>
    public IEnumerable<int> Batches(int arrayIndex) => Enumerable.Range(Offset!.Value + arrayIndex * PerTask, PerTask);

    public override string ToString() =>
        $"{Token}@{(Offset is { } o ? o.ToString(CultureInfo.InvariantCulture) + (PerTask > 1 ? "x" + PerTask.ToString(CultureInfo.InvariantCulture) : "") : "pilot")}";

    public static SubmissionComment? TryParse(string? comment)
    {
        if (comment is null)
        {
            return null;
        }
        var at = comment.LastIndexOf('@');
        if (at <= 0)
        {
            return null;
        }
        var tail = comment[(at + 1)..];
        if (tail == "pilot")
        {
            return new SubmissionComment(comment[..at], null);
        }
        var perTask = 1;
        if (tail.IndexOf('x', StringComparison.Ordinal) is var x and > 0)
        {
            if (!int.TryParse(tail[(x + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out perTask) || perTask < 1)
            {
                return null;
            }
            tail = tail[..x];
        }
        return int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? new SubmissionComment(comment[..at], offset, perTask)
            : null;
    }
}
