using Coordinator.Controllers.Tasks;
using Coordinator.Model.Tasks;
using Coordinator.Testing.State;

namespace Coordinator.Controllers.Tests.Tasks;

/// <summary>The one task reader: every page, in index order, one page size, and a generation filter when asked.</summary>
public sealed class TaskReaderTests
{
    private const int Count = (2 * TaskReader.PageSize) + 7;

    private static async Task<InMemoryStateStore> StoreAsync()
    {
        var state = new InMemoryStateStore();
        await state.PutTasksAsync([.. Enumerable.Range(0, Count).Reverse().Select(i => new JobTask { Job = "r", Index = i, Generation = i % 3 == 0 ? 2 : 1 })], default);
        await state.PutTasksAsync([new JobTask { Job = "other", Index = 0, Generation = 1 }], default);
        return state;
    }

    [Fact]
    public async Task Every_task_of_every_generation_is_read_in_index_order_when_no_generation_is_given()
    {
        var state = await StoreAsync();

        var tasks = await TaskReader.ReadAllAsync(state, "r", generation: null, default);

        Assert.Equal(Enumerable.Range(0, Count), tasks.Select(t => t.Index));
        Assert.All(tasks, t => Assert.Equal("r", t.Job));
    }

    [Fact]
    public async Task A_generation_keeps_only_that_generations_tasks()
    {
        var state = await StoreAsync();

        var tasks = await TaskReader.ReadAllAsync(state, "r", generation: 2, default);

        Assert.Equal(Enumerable.Range(0, Count).Where(i => i % 3 == 0), tasks.Select(t => t.Index));
    }

    [Fact]
    public async Task Pages_come_one_query_at_a_time_at_the_one_page_size()
    {
        var state = await StoreAsync();

        var sizes = new List<int>();
        await foreach (var page in TaskReader.ReadPagesAsync(state, "r", generation: null, default))
        {
            sizes.Add(page.Count);
        }

        Assert.Equal([TaskReader.PageSize, TaskReader.PageSize, 7], sizes);
    }

    [Fact]
    public async Task A_job_without_tasks_reads_as_empty()
    {
        var state = await StoreAsync();

        Assert.Empty(await TaskReader.ReadAllAsync(state, "none", generation: null, default));
    }
}
