using Coordinator.Aws.DynamoDb;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Tasks;

namespace Coordinator.Integration.Tests.State;

/// <summary>Task items: bulk creation, paging, conditional updates and deletion, against moto and DynamoDB Local.</summary>
public sealed class DynamoStateStoreTaskTests
{
    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task PutTasks_writes_every_task_and_QueryTasks_pages_them_in_index_order(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        var tasks = Enumerable.Range(0, 1037).Select(i => NewTask("wc", i, generation: 1)).ToList();

        await store.PutTasksAsync(tasks, default);

        var seen = new List<JobTask>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await store.QueryTasksAsync("wc", token, 250, default);
            seen.AddRange(page.Tasks);
            token = page.NextToken;
            pages++;
        }
        while (token is not null);
        Assert.Equal(Enumerable.Range(0, 1037), seen.Select(t => t.Index));
        Assert.All(seen, t => Assert.Equal(1, t.Version));
        Assert.All(tasks, t => Assert.Equal(1, t.Version));
        Assert.InRange(pages, 5, 6);
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task PutTasks_again_leaves_tasks_of_the_same_generation_alone_and_replaces_older_ones(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutTasksAsync(Enumerable.Range(0, 30).Select(i => NewTask("idem", i, 1)).ToList(), default);
        var moved = (await store.GetTaskAsync("idem", 3, default))!;
        moved.State = TaskState.Running;
        await store.UpdateTaskAsync(moved, default);

        await store.PutTasksAsync(Enumerable.Range(0, 30).Select(i => NewTask("idem", i, 1)).ToList(), default);
        var kept = (await store.GetTaskAsync("idem", 3, default))!;
        Assert.Equal(TaskState.Running, kept.State);
        Assert.Equal(2, kept.Version);

        await store.PutTasksAsync(Enumerable.Range(0, 30).Select(i => NewTask("idem", i, 2)).ToList(), default);
        var replaced = (await store.GetTaskAsync("idem", 3, default))!;
        Assert.Equal(TaskState.Pending, replaced.State);
        Assert.Equal(2, replaced.Generation);
        Assert.Equal(1, replaced.Version);
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task UpdateTask_is_conditional_on_the_version_read(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutTasksAsync([NewTask("cond", 0, 1)], default);
        var mine = (await store.GetTaskAsync("cond", 0, default))!;
        var theirs = (await store.GetTaskAsync("cond", 0, default))!;

        mine.State = TaskState.Running;
        mine.Attempt = 1;
        Assert.Equal(2, await store.UpdateTaskAsync(mine, default));
        theirs.State = TaskState.Failed;
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => store.UpdateTaskAsync(theirs, default));

        Assert.Contains("task 0 of job \"cond\"", conflict.Message);
        var read = (await store.GetTaskAsync("cond", 0, default))!;
        Assert.Equal(TaskState.Running, read.State);
        Assert.Equal(1, read.Attempt);
        Assert.Equal(2, mine.Version);
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task A_worker_of_an_old_generation_cannot_record_into_the_new_one_even_at_the_same_version(string kind)
    {
        // Issue 14, defect 1: the store writes a new generation's items at version 1, so an old generation's worker
        // can hold the very version number the new item has reached. The version alone must not let it write.
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutTasksAsync([NewTask("fence", 0, 1)], default);
        var old = (await store.GetTaskAsync("fence", 0, default))!;
        old.State = TaskState.Running;
        old.Attempt = 1;
        await store.UpdateTaskAsync(old, default); // generation 1's worker claimed: version 2

        await store.PutTasksAsync([NewTask("fence", 0, 2)], default); // the spec was edited: generation 2, version 1
        var current = (await store.GetTaskAsync("fence", 0, default))!;
        current.State = TaskState.Running;
        current.Attempt = 1;
        await store.UpdateTaskAsync(current, default); // generation 2's worker claimed: version 2 as well

        old.State = TaskState.Succeeded;
        old.ResultSha256 = "sha-of-the-old-batch";
        await Assert.ThrowsAsync<ConflictException>(() => store.UpdateTaskAsync(old, default));

        var read = (await store.GetTaskAsync("fence", 0, default))!;
        Assert.Equal((2L, TaskState.Running, (string?)null), (read.Generation, read.State, read.ResultSha256));
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task DeleteTasks_removes_every_task_of_the_job_and_no_other(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutTasksAsync(Enumerable.Range(0, 612).Select(i => NewTask("gone", i, 1)).ToList(), default);
        await store.PutTasksAsync(Enumerable.Range(0, 5).Select(i => NewTask("stays", i, 1)).ToList(), default);

        await store.DeleteTasksAsync("gone", default);

        Assert.Empty((await store.QueryTasksAsync("gone", null, 100, default)).Tasks);
        Assert.Equal(5, (await store.QueryTasksAsync("stays", null, 100, default)).Tasks.Count);
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task PutTasks_rejects_a_task_listed_twice_naming_it(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.PutTasksAsync([NewTask("dup", 4, 1), NewTask("dup", 4, 1)], default));

        Assert.Contains("task 4 of job \"dup\" appears twice", error.Message);
    }

    private static JobTask NewTask(string job, int index, long generation) => new()
    {
        Job = job,
        Index = index,
        Generation = generation,
        State = TaskState.Pending,
        InputKey = $"jobs/{job}/{generation}/batches/{index:D6}.jsonl",
    };
}
