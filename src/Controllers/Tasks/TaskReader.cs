using System.Runtime.CompilerServices;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Tasks;

namespace Coordinator.Controllers.Tasks;

/// <summary>
/// The one way to read a job's task items: page by page in index order over <see cref="IStateStore.QueryTasksAsync"/>
/// (strongly consistent), <see cref="PageSize"/> items a round trip. A generation keeps only that generation's tasks;
/// null reads every generation.
/// </summary>
public static class TaskReader
{
    /// <summary>Items asked for per Query.</summary>
    public const int PageSize = 500;

    /// <summary>The pages as they come, for a caller that acts on each before the next is read.</summary>
    public static async IAsyncEnumerable<IReadOnlyList<JobTask>> ReadPagesAsync(
        IStateStore state, string job, long? generation, [EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var page = await state.QueryTasksAsync(job, token, PageSize, ct).ConfigureAwait(false);
            token = page.NextToken;
            yield return generation is { } wanted ? [.. page.Tasks.Where(t => t.Generation == wanted)] : page.Tasks;
        }
        while (token is not null);
    }

    /// <summary>Every task of the job (of <paramref name="generation"/> when given), in index order.</summary>
    public static async Task<List<JobTask>> ReadAllAsync(IStateStore state, string job, long? generation, CancellationToken ct)
    {
        var tasks = new List<JobTask>();
        await foreach (var page in ReadPagesAsync(state, job, generation, ct).ConfigureAwait(false))
        {
            tasks.AddRange(page);
        }
        return tasks;
    }
}
