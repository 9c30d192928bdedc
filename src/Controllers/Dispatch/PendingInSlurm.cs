using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// Batch tasks Slurm accepted but will never start as things stand: squeue's pending reason says the request exceeds
/// what the partition has (PartitionConfig: more CPUs or memory than any node), names features no node has, or the
/// partition or an administrator holds it. sbatch does not refuse these, so without this the job waits in Running with
/// nothing on its item (issue 15). The job gets condition Schedulable=False with reason <see cref="Reason"/>, Slurm's
/// pending reason and the spec.slurm fields it set; it is not failed (an administrator may fix the partition, and
/// activeDeadline ends a job that must not wait for ever). Once no task pends for such a reason the condition turns
/// True. Reasons Slurm clears by itself (Resources, Priority, a throttle, a dependency) are not reported.
/// </summary>
public static class PendingInSlurm
{
    public const string Condition = "Schedulable";
    public const string Reason = "PendingInSlurm";

    private static readonly Dictionary<string, string> Explained = new(StringComparer.Ordinal)
    {
        ["PartitionConfig"] = "the request exceeds what the partition's nodes have",
        ["BadConstraints"] = "no node has what the request asks for",
        ["PartitionNodeLimit"] = "the request needs more nodes than the partition allows",
        ["PartitionTimeLimit"] = "the time limit is longer than the partition allows",
        ["PartitionDown"] = "the partition is down; an administrator must bring it up",
        ["PartitionInactive"] = "the partition is inactive; an administrator must bring it up",
        ["JobHeldAdmin"] = "an administrator holds it",
        ["InvalidAccount"] = "the account is not valid",
        ["InvalidQOS"] = "the qos is not valid",
    };

    /// <summary>Sets or clears the condition from the job's listed submissions; true when the status changed.</summary>
    public static bool Observe(JobContext context, InFlight inFlight)
    {
        var stuck = inFlight.Submissions
            .SelectMany(s => s.Tasks)
            .Where(t => t.State == SchedulerTaskState.Pending && t.Reason is { } r && Explained.ContainsKey(r))
            .ToList();
        var status = context.Job.Status;
        if (stuck.Count == 0)
        {
            return StatusEditor.GetCondition(status, Condition) is { Status: StatusEditor.False }
                && StatusEditor.SetCondition(context, Condition, true, "Scheduled", "no batch task is pending for a reason Slurm cannot clear by itself");
        }
        var reason = stuck.GroupBy(t => t.Reason!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        var fields = SubmitRefusal.SpecFields(context.Job.Spec.Slurm);
        var message = $"Slurm will not start {stuck.Count} batch task(s): pending with reason {reason} ({Explained[reason]}"
            + (fields.Length > 0 ? $"; check spec.slurm: {fields})" : ")");
        return StatusEditor.SetCondition(context, Condition, false, Reason, message);
    }
}
