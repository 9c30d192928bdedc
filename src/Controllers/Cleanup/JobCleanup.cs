using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Ports;
using Coordinator.Data.Layout;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Cleanup;

/// <summary>
/// Removes what a job no longer needs under the data root. <see cref="DeleteAsync"/> (ttlAfterFinished, `delete`)
/// removes everything a finished job left behind — its batches, results and manifests, its task items, and finally
/// the job item itself, as Kubernetes deletes a finished Job. <see cref="DeleteOlderGenerationsAsync"/> removes the
/// objects of the generations before the job's current one once its manifest is committed. The job's output in
/// spec.output is the user's and is kept.
/// <para>In the daemon every delete first asks the leadership guard: a deposed leader deletes nothing.</para>
/// </summary>
public sealed class JobCleanup(IStateStore state, IObjectStore store, CoordinatorOptions options, ILeadershipGuard? leadership = null)
{
    private readonly ILeadershipGuard _leadership = leadership ?? Unfenced.Instance;

    public async Task DeleteAsync(Job job, CancellationToken ct)
    {
        await DeleteUnderAsync(JobLayout.JobPrefix(options.DataRootUri, job.Name), ct).ConfigureAwait(false);
        await state.DeleteTasksAsync(job.Name, ct).ConfigureAwait(false);
        await state.DeleteJobAsync(job.Name, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes every object under {root}/jobs/{name}/{g}/ for each generation g before the job's current one (a crash
    /// midway leaves the rest for the next call); returns how many were deleted.
    /// </summary>
    public async Task<int> DeleteOlderGenerationsAsync(Job job, CancellationToken ct)
    {
        var deleted = 0;
        for (var generation = 1L; generation < job.Generation; generation++)
        {
            deleted += await DeleteUnderAsync(new JobLayout(options.DataRootUri, job.Name, generation).Prefix, ct).ConfigureAwait(false);
        }
        return deleted;
    }

    /// <summary>
    /// Deletes what the prefix holds as the listing goes, <see cref="IObjectStore.MaxDeleteBatch"/> objects a call, so
    /// memory stays at one batch of keys however many objects a job has (S3 listings page on past deleted keys).
    /// </summary>
    private async Task<int> DeleteUnderAsync(Uri prefix, CancellationToken ct)
    {
        var deleted = 0;
        async Task DeleteAsync(List<Uri> batch)
        {
            if (!_leadership.MayActNow())
            {
                throw new LeadershipLostException($"refused to delete {batch.Count} objects under {prefix}: this daemon does not hold the lease with enough of it left");
            }
            await store.DeleteManyAsync(batch, ct).ConfigureAwait(false);
            deleted += batch.Count;
        }
        var batch = new List<Uri>(IObjectStore.MaxDeleteBatch);
        await foreach (var item in store.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            batch.Add(item.Uri);
            if (batch.Count == IObjectStore.MaxDeleteBatch)
            {
                await DeleteAsync(batch).ConfigureAwait(false);
                batch = new List<Uri>(IObjectStore.MaxDeleteBatch);
            }
        }
        if (batch.Count > 0)
        {
            await DeleteAsync(batch).ConfigureAwait(false);
        }
        return deleted;
    }
}
