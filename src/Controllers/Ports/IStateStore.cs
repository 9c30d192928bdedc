using System.Runtime.CompilerServices;
using Coordinator.Model.Errors;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Ports;

/// <summary>A conditional write lost: someone else moved the item. Re-read and requeue; never overwrite. Transient.</summary>
public sealed class ConflictException(string message) : CoordinatorException(message, null, isTransient: true);

/// <summary>
/// One spec field a CLI verb sets: its path under <c>spec</c> in the item's field names ("suspend",
/// "slurm.maxConcurrent", "retryGeneration") and its new value (a bool, int or long).
/// </summary>
public sealed record SpecFieldEdit(string Path, object Value);

/// <summary>A page of tasks and the token for the next page (null when done).</summary>
public sealed record TaskPage(IReadOnlyList<JobTask> Tasks, string? NextToken);

/// <summary>
/// Jobs and tasks state port (DynamoDB adapter: DynamoStateStore). Every write is conditional on the
/// version that was read and throws <see cref="ConflictException"/> when that condition fails.
/// </summary>
public interface IStateStore
{
    Task<Job?> GetJobAsync(string name, CancellationToken ct);
    /// <summary>Names of jobs whose phase is not terminal (for list-then-watch).</summary>
    IAsyncEnumerable<string> ListActiveJobNamesAsync(CancellationToken ct);
    IAsyncEnumerable<Job> ListJobsAsync(CancellationToken ct);

    /// <summary>
    /// Names of jobs whose <c>status.expiresAt</c> (ttlAfterFinished) is at or before <paramref name="now"/>: what the
    /// daemon's expiry sweep enqueues. This default filters <see cref="ListJobsAsync"/>; the DynamoDB adapter pages a
    /// Scan with the condition as a filter and only the name projected.
    /// </summary>
    async IAsyncEnumerable<string> ListExpiredJobNamesAsync(DateTimeOffset now, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var job in ListJobsAsync(ct).ConfigureAwait(false))
        {
            if (job.Status.ExpiresAt is { } expires && expires <= now)
            {
                yield return job.Name;
            }
        }
    }

    /// <summary>
    /// Every finished job (Succeeded, Failed, Cancelled; templates excluded), decoded: what the relist compares with
    /// what the daemon last observed. This default filters <see cref="ListJobsAsync"/>; the DynamoDB adapter pages a
    /// Scan filtered on the phase.
    /// </summary>
    async IAsyncEnumerable<Job> ListFinishedJobsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var job in ListJobsAsync(ct).ConfigureAwait(false))
        {
            if (PhaseTransitions.IsTerminal(job.Status.Phase))
            {
                yield return job;
            }
        }
    }

    /// <summary>Create a job item; fails with ConflictException if it exists and <paramref name="replace"/> is false. Never wipes status.</summary>
    Task PutJobSpecAsync(Job job, bool replace, CancellationToken ct);
    /// <summary>
    /// Sets only the given spec fields of a job this store read (<paramref name="read"/> came from
    /// <see cref="GetJobAsync"/>), conditional on each field being as it was in that read (absent where it was absent):
    /// a concurrent edit of another field survives, a concurrent edit of the same field is a
    /// <see cref="ConflictException"/>. Status, version, labels and every other spec field are left alone.
    /// </summary>
    Task UpdateJobSpecFieldsAsync(Job read, IReadOnlyList<SpecFieldEdit> edits, CancellationToken ct) =>
        throw new NotSupportedException($"{GetType().Name} cannot edit spec fields");

    /// <summary>
    /// Replaces the spec and labels of a job this store read with those of <paramref name="replacement"/>, conditional
    /// on the item's spec (or specYaml) and labels being exactly as in that read: any concurrent change to them,
    /// whoever made it (the CLI, put-item, update-item), is a <see cref="ConflictException"/>, never overwritten.
    /// Status, version and generation are left alone (the daemon sees the new spec by its hash).
    /// </summary>
    Task ReplaceJobSpecAsync(Job read, Job replacement, CancellationToken ct) =>
        throw new NotSupportedException($"{GetType().Name} cannot replace a spec conditionally");

    /// <summary>Write status (and generation/specHash) conditional on job.Version; returns the new version.</summary>
    Task<long> UpdateJobStatusAsync(Job job, CancellationToken ct);
    Task DeleteJobAsync(string name, CancellationToken ct);

    /// <summary>Create task items (idempotent: an existing item for the same job/generation/index is left alone).</summary>
    Task PutTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct);
    Task<JobTask?> GetTaskAsync(string job, int index, CancellationToken ct);
    Task<TaskPage> QueryTasksAsync(string job, string? pageToken, int pageSize, CancellationToken ct);
    /// <summary>Write a task conditional on task.Version; returns the new version.</summary>
    Task<long> UpdateTaskAsync(JobTask task, CancellationToken ct);

    /// <summary>
    /// Writes several tasks, each conditional on its own version, and says for each whether it was written (false: its
    /// condition failed, someone else moved it). Not atomic as a whole. Adapters may overlap the round trips (DynamoDB
    /// sends the conditional puts concurrently); this default writes them one by one.
    /// </summary>
    async Task<IReadOnlyList<bool>> TryUpdateTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct)
    {
        var written = new bool[tasks.Count];
        for (var i = 0; i < tasks.Count; i++)
        {
            try
            {
                tasks[i].Version = await UpdateTaskAsync(tasks[i], ct).ConfigureAwait(false);
                written[i] = true;
            }
            catch (ConflictException)
            {
            }
        }
        return written;
    }
    Task DeleteTasksAsync(string job, CancellationToken ct);

    /// <summary>
    /// Deletes the task items of <paramref name="job"/> at <paramref name="fromIndex"/> and above whose generation is older
    /// than <paramref name="generation"/>: what a generation with more batches left behind once a generation with fewer
    /// committed its manifest. Each delete is conditional on the item still being of an older generation, so an item a newer
    /// write replaced is left alone. Returns how many were deleted.
    /// </summary>
    Task<int> DeleteStaleTasksAsync(string job, int fromIndex, long generation, CancellationToken ct);
}
