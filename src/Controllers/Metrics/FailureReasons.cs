using Coordinator.Controllers.Pipeline;
using Coordinator.Model.Status;

namespace Coordinator.Controllers.Metrics;

/// <summary>
/// The reason label of the failures-by-reason metric, read from a job's status the way an operator would: the Failed
/// condition's reason (FailJobRule, BackoffLimitExceeded, DeadlineExceeded, ResultChecksumMismatch, ...), else the
/// reason of the condition that went False (a refused input: Partitioned=False; a bad spec: Valid=False). Reasons
/// are CamelCase identifiers written by our controllers, so the label stays low-cardinality.
/// </summary>
public static class FailureReasons
{
    public const string Unknown = "Unknown";

    /// <summary>True when a pass moved the job from <paramref name="before"/> into Failed or Invalid.</summary>
    public static bool EnteredFailure(JobPhase before, JobPhase after) =>
        before != after && after is JobPhase.Failed or JobPhase.Invalid;

    public static string Of(JobStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var failed = status.Conditions.FirstOrDefault(c => c.Type == ConditionTypes.Failed && c.Status == StatusEditor.True);
        var reason = failed?.Reason;
        if (string.IsNullOrEmpty(reason))
        {
            reason = status.Conditions.Where(c => c.Status == StatusEditor.False && c.Type != ConditionTypes.Suspended)
                .OrderByDescending(c => c.LastTransitionTime).FirstOrDefault()?.Reason;
        }
        return string.IsNullOrWhiteSpace(reason) || reason.Length > 64 || !reason.All(char.IsAsciiLetterOrDigit) ? Unknown : reason;
    }
}
