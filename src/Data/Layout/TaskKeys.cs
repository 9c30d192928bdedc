using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;

namespace Coordinator.Data.Layout;

/// <summary>
/// Task items are not trusted: whoever can write the tasks table could point a task's <c>inputKey</c> or
/// <c>resultKey</c> at another job's batch or result, or at a file:// path. The worker and the aggregator derive every
/// key from the job's layout (job, generation, index, attempt) and use only that; an item whose recorded key differs
/// is refused, naming the task: "task 7 of job x: input key does not match the job's layout (expected …, got …)".
/// </summary>
public static class TaskKeys
{
    private const int MaxShown = 200;

    /// <summary>Null when the task's inputKey is its batch in <paramref name="layout"/>; else why it is refused.</summary>
    public static string? InputMismatch(JobLayout layout, JobTask task, InputFormat format) =>
        Mismatch(layout, task, "input", task.InputKey, layout.Batch(task.Index, format));

    /// <summary>Null when the task's resultKey is its attempt's result in <paramref name="layout"/>; else why it is refused.</summary>
    public static string? ResultMismatch(JobLayout layout, JobTask task, InputFormat format) =>
        Mismatch(layout, task, "result", task.ResultKey, layout.Result(task.Index, task.Attempt, format));

    /// <summary>Null when the task recorded no rejects or its rejectsKey is its attempt's in <paramref name="layout"/>; else why it is refused.</summary>
    public static string? RejectsMismatch(JobLayout layout, JobTask task) =>
        task.RejectsKey is null ? null : Mismatch(layout, task, "rejects", task.RejectsKey, layout.Rejects(task.Index, task.Attempt));

    private static string? Mismatch(JobLayout layout, JobTask task, string what, string? recorded, Uri expected)
    {
        if (task.Job == layout.JobName && task.Generation == layout.Generation && string.Equals(recorded, expected.ToString(), StringComparison.Ordinal))
        {
            return null;
        }
        var got = recorded is null ? "none" : recorded.Length > MaxShown ? recorded[..MaxShown] + "…" : recorded;
        return $"task {task.Index} of job {layout.JobName}: {what} key does not match the job's layout (expected {expected}, got {got})";
    }
}
