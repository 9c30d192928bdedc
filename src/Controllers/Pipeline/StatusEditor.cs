using Coordinator.Model.Status;

namespace Coordinator.Controllers.Pipeline;

/// <summary>
/// The one way controllers change a job's phase and conditions, so every controller follows the same Kubernetes
/// conventions: a condition's <c>lastTransitionTime</c> moves only when its status flips (a new reason or message
/// alone is not a transition), <c>observedGeneration</c> records which spec generation the condition speaks about,
/// and every phase move is checked against <see cref="PhaseTransitions"/>, where an illegal move is a bug and throws.
/// Each method reports whether it changed anything, so callers can tell a no-op pass from one worth saving.
/// </summary>
public static class StatusEditor
{
    public const string True = "True";
    public const string False = "False";
    public const string Unknown = "Unknown";

    /// <summary>Sets a condition for the job's current generation at the pass's time.</summary>
    public static bool SetCondition(JobContext context, string type, bool status, string reason, string message) =>
        SetCondition(context.Job.Status, type, status ? True : False, reason, message, context.Job.Generation, context.Now);

    /// <summary>
    /// Adds or updates the condition of <paramref name="type"/>. lastTransitionTime becomes <paramref name="now"/> only
    /// when the condition is new or its status changes. Returns true when anything about the condition changed.
    /// </summary>
    public static bool SetCondition(JobStatus status, string type, string conditionStatus, string reason, string message,
        long observedGeneration, DateTimeOffset now)
    {
        if (conditionStatus is not (True or False or Unknown))
        {
            throw new ArgumentException($"condition status must be True, False or Unknown, got \"{conditionStatus}\"", nameof(conditionStatus));
        }
        var existing = GetCondition(status, type);
        if (existing is null)
        {
            status.Conditions.Add(new Condition
            {
                Type = type,
                Status = conditionStatus,
                Reason = reason,
                Message = message,
                LastTransitionTime = now,
                ObservedGeneration = observedGeneration,
            });
            return true;
        }
        var changed = false;
        if (existing.Status != conditionStatus)
        {
            existing.Status = conditionStatus;
            existing.LastTransitionTime = now;
            changed = true;
        }
        if (existing.Reason != reason)
        {
            existing.Reason = reason;
            changed = true;
        }
        if (existing.Message != message)
        {
            existing.Message = message;
            changed = true;
        }
        if (existing.ObservedGeneration != observedGeneration)
        {
            existing.ObservedGeneration = observedGeneration;
            changed = true;
        }
        return changed;
    }

    public static Condition? GetCondition(JobStatus status, string type) =>
        status.Conditions.FirstOrDefault(c => c.Type == type);

    /// <summary>True when the condition is True and, if <paramref name="generation"/> is given, was set for that generation.</summary>
    public static bool IsTrue(JobStatus status, string type, long? generation = null) =>
        GetCondition(status, type) is { Status: True } condition
        && (generation is null || condition.ObservedGeneration == generation);

    /// <summary>True when the condition is False for <paramref name="generation"/> (if given).</summary>
    public static bool IsFalse(JobStatus status, string type, long? generation = null) =>
        GetCondition(status, type) is { Status: False } condition
        && (generation is null || condition.ObservedGeneration == generation);

    public static bool RemoveCondition(JobStatus status, string type) => status.Conditions.RemoveAll(c => c.Type == type) > 0;

    /// <summary>
    /// Fails the job: phase Failed, condition Failed=True with <paramref name="reason"/> and <paramref name="message"/>
    /// for the current generation, the message on the status, and the completion time.
    /// </summary>
    public static void Fail(JobContext context, string reason, string message)
    {
        var job = context.Job;
        SetPhase(job.Status, JobPhase.Failed);
        SetCondition(job.Status, ConditionTypes.Failed, True, reason, message, job.Generation, context.Now);
        job.Status.Message = message;
        job.Status.CompletedAt = context.Now;
    }

    /// <summary>Moves the job's phase; throws IllegalPhaseTransitionException for a move not in the table.</summary>
    public static bool SetPhase(JobContext context, JobPhase to) => SetPhase(context.Job.Status, to);

    /// <summary>Moves the phase through <see cref="PhaseTransitions.Ensure"/>; returns false when it was already there.</summary>
    public static bool SetPhase(JobStatus status, JobPhase to)
    {
        if (status.Phase == to)
        {
            return false;
        }
        PhaseTransitions.Ensure(status.Phase, to);
        status.Phase = to;
        return true;
    }
}
