using Coordinator.Model.Status;

namespace Coordinator.Controllers.Partitioning;

/// <summary>
/// Reads and sets the Kubernetes-style conditions the partition and store controllers guard on. LastTransitionTime
/// moves only when the status value changes. (When the runtime's StatusEditor lands, this delegates to it.)
/// </summary>
public static class JobConditions
{
    public static Condition? Find(JobStatus status, string type) => status.Conditions.Find(c => c.Type == type);

    /// <summary>True when <paramref name="type"/> is True for this generation: the guarded work is done.</summary>
    public static bool IsTrue(JobStatus status, string type, long generation) =>
        Find(status, type) is { Status: "True" } c && c.ObservedGeneration == generation;

    /// <summary>True when <paramref name="type"/> is False for this generation with a permanent reason already reported.</summary>
    public static bool IsFalse(JobStatus status, string type, long generation) =>
        Find(status, type) is { Status: "False" } c && c.ObservedGeneration == generation;

    public static void Set(JobStatus status, string type, bool value, string reason, string message, long generation, DateTimeOffset now)
    {
        var text = value ? "True" : "False";
        var condition = Find(status, type);
        if (condition is null)
        {
            condition = new Condition { Type = type };
            status.Conditions.Add(condition);
        }
        if (condition.Status != text)
            condition.LastTransitionTime = now;
        condition.Status = text;
        condition.Reason = reason;
        condition.Message = message;
        condition.ObservedGeneration = generation;
    }
}
