using System.Globalization;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// What the Slurm --comment of a submission carries: the dispatch token (so a restarted daemon finds the submission
/// instead of repeating it) and how array ids map to batches — "{token}@{offset}" in array mode, "{token}@pilot" in
/// pilot mode. squeue alone then tells which batches are in flight, with nothing stored per task.
/// </summary>
public readonly record struct SubmissionComment(string Token, int? Offset)
{
    public bool IsPilot => Offset is null;

    public override string ToString() =>
        $"{Token}@{(Offset is { } o ? o.ToString(CultureInfo.InvariantCulture) : "pilot")}";

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
        return int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? new SubmissionComment(comment[..at], offset)
            : null;
    }
}
