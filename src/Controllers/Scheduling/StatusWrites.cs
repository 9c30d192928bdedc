using Coordinator.Model.Status;

namespace Coordinator.Controllers.Scheduling;

/// <summary>
/// The dispatch, status and aggregate controllers' status edits: phase moves checked against the one transitions
/// table (<see cref="PhaseTransitions"/>), and Kubernetes-style conditions whose lastTransitionTime changes only when
/// their status does. Kept to these two operations so it can fold into the runtime's StatusEditor when that lands.
/// </summary>
public static class StatusWrites
{
    public static void MoveTo(JobStatus status, JobPhase phase)
    {
        PhaseTransitions.Ensure(status.Phase, phase);
        status.Phase = phase;
    }

    public static void SetCondition(JobStatus status, string type, bool value, string reason, string message, long generation, DateTimeOffset now)
    {
        var text = value ? "True" : "False";
        var condition = status.Conditions.FirstOrDefault(c => c.Type == type);
        if (condition is null)
        {
            condition = new Condition { Type = type, LastTransitionTime = now };
            status.Conditions.Add(condition);
        }
        else if (condition.Status != text)
        {
            condition.LastTransitionTime = now;
        }
        condition.Status = text;
        condition.Reason = reason;
        condition.Message = message;
        condition.ObservedGeneration = generation;
    }

    public static bool IsTrue(JobStatus status, string type) =>
        status.Conditions.Any(c => c.Type == type && c.Status == "True");
}
