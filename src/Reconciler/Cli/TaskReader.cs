using Coordinator.Controllers.Ports;
using Coordinator.Model.Tasks;

namespace Coordinator.Reconciler.Cli;

/// <summary>Reads a job's task items in index order, page by page (the store's strongly consistent Query).</summary>
public static class TaskReader
{
    public const int PageSize = 1000;

    public static async Task<IReadOnlyList<JobTask>> ReadAllAsync(IStateStore state, string job, CancellationToken ct)
    {
        var tasks = new List<JobTask>();
        string? token = null;
        do
        {
            var page = await state.QueryTasksAsync(job, token, PageSize, ct).ConfigureAwait(false);
            tasks.AddRange(page.Tasks);
            token = page.NextToken;
        }
        while (token is not null);
        return tasks;
    }
}
