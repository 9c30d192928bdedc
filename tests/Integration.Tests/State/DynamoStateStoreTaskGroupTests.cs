using Coordinator.Aws.DynamoDb;
using Coordinator.Controllers.Metrics;
using Coordinator.Model.Tasks;

namespace Coordinator.Integration.Tests.State;

/// <summary>
/// TryUpdateTasksAsync (a pilot's grouped claims) against moto and DynamoDB Local: every task is written exactly when
/// its own version condition holds, though the writes of a group are in flight together.
/// </summary>
public sealed class DynamoStateStoreTaskGroupTests
{
    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task TryUpdateTasks_writes_the_tasks_whose_version_held_and_leaves_the_ones_someone_else_moved(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutTasksAsync(Enumerable.Range(0, 130).Select(i => NewTask("grp", i)).ToList(), default);
        var mine = (await store.QueryTasksAsync("grp", null, 500, default)).Tasks.ToList();
        var taken = new[] { 3, 77, 101, 129 };
        foreach (var i in taken)
        {
            var theirs = (await store.GetTaskAsync("grp", i, default))!;
            theirs.State = TaskState.Running;
            theirs.Host = "other-pilot";
            await store.UpdateTaskAsync(theirs, default);
        }

        foreach (var task in mine)
        {
            task.State = TaskState.Running;
            task.Host = "me";
        }
        var written = await store.TryUpdateTasksAsync(mine, default);

        Assert.Equal(Enumerable.Range(0, 130).Select(i => !taken.Contains(i)), written);
        var stored = (await store.QueryTasksAsync("grp", null, 500, default)).Tasks;
        Assert.All(stored, t =>
        {
            var expectedHost = taken.Contains(t.Index) ? "other-pilot" : "me";
            Assert.Equal((expectedHost, 2L), (t.Host, t.Version));
        });
        Assert.All(mine.Where(t => !taken.Contains(t.Index)), t => Assert.Equal(2, t.Version));
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task TryUpdateTasks_of_two_pilots_racing_for_the_same_tasks_gives_each_task_to_exactly_one(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutTasksAsync(Enumerable.Range(0, 40).Select(i => NewTask("race", i)).ToList(), default);

        async Task<IReadOnlyList<bool>> ClaimAll(string host)
        {
            var tasks = (await store.QueryTasksAsync("race", null, 500, default)).Tasks.ToList();
            foreach (var task in tasks)
            {
                task.State = TaskState.Running;
                task.Host = host;
            }
            return await store.TryUpdateTasksAsync(tasks, default);
        }
        var results = await Task.WhenAll(ClaimAll("a"), ClaimAll("b"));

        var stored = (await store.QueryTasksAsync("race", null, 500, default)).Tasks;
        for (var i = 0; i < 40; i++)
        {
            Assert.NotEqual(results[0][i], results[1][i]);
            Assert.Equal(results[0][i] ? "a" : "b", stored[i].Host);
            Assert.Equal(2, stored[i].Version);
        }
    }

    private static JobTask NewTask(string job, int index) => new()
    {
        Job = job,
        Index = index,
        Generation = 1,
        State = TaskState.Pending,
        InputKey = $"jobs/{job}/1/batches/{index:D6}.jsonl",
    };
}
