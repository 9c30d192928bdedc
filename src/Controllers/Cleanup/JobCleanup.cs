using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Ports;
using Coordinator.Data.Layout;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Cleanup;

/// <summary>
/// ttlAfterFinished: removes what a finished job left behind — its batches, results and manifests under the data
/// root, its task items, and finally the job item itself, as Kubernetes deletes a finished Job. The job's output in
/// spec.output is the user's and is kept.
/// <para>In the daemon every delete first asks the leadership guard: a deposed leader deletes nothing.</para>
/// </summary>
public sealed class JobCleanup(IStateStore state, IObjectStore store, CoordinatorOptions options, ILeadershipGuard? leadership = null)
{
    private readonly ILeadershipGuard _leadership = leadership ?? Unfenced.Instance;

    public async Task DeleteAsync(Job job, CancellationToken ct)
    {
        var prefix = JobLayout.JobPrefix(options.DataRootUri, job.Name);
        var objects = new List<Uri>();
        await foreach (var item in store.ListAsync(prefix, ct).ConfigureAwait(false))
        {
            objects.Add(item.Uri);
        }
        foreach (var uri in objects)
        {
            if (!_leadership.MayActNow())
            {
                throw new LeadershipLostException($"refused to delete {uri}: this daemon does not hold the lease with enough of it left");
            }
            await store.DeleteAsync(uri, ct).ConfigureAwait(false);
        }
        await state.DeleteTasksAsync(job.Name, ct).ConfigureAwait(false);
        await state.DeleteJobAsync(job.Name, ct).ConfigureAwait(false);
    }
}
