using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.DynamoDb;
using Coordinator.Aws.Items;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Integration.Tests.State;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Cli;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>
/// suspend, resume, scale and retry edit only their own spec field, conditional on what was read: another user's edit
/// of another spec field, made between the CLI's read and its write, survives (moto and DynamoDB Local).
/// </summary>
public sealed class SpecEditConcurrencyTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var backend in new[] { DynamoBackend.Moto, DynamoBackend.DynamoDbLocal })
        {
            foreach (var verb in new[] { "suspend", "resume", "scale", "retry" })
            {
                data.Add(backend, verb);
            }
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task A_concurrent_edit_of_another_spec_field_between_read_and_write_survives(string kind, string verb)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        var job = DynamoStateStoreTests.NewJob("edited", "s3://in/");
        job.Spec.Suspend = verb == "resume";
        await store.PutJobSpecAsync(job, replace: false, default);
        var read = (await store.GetJobAsync("edited", default))!;
        read.Status.Phase = verb == "retry" ? JobPhase.Failed : JobPhase.Running;
        await store.UpdateJobStatusAsync(read, default);
        // The other user's edit: scale's race is with a suspend, the others' with a change of maxConcurrent.
        var (otherField, otherValue) = verb == "scale"
            ? ("suspend", new AttributeValue { BOOL = true })
            : ("slurm.maxConcurrent", new AttributeValue { N = "7" });
        var racing = new RacingStore(store, async () => await backend.Client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = backend.Options.JobsTable,
            Key = new Dictionary<string, AttributeValue> { ["name"] = new() { S = "edited" } },
            UpdateExpression = "SET " + string.Join(".", ("spec." + otherField).Split('.').Select((_, i) => $"#p{i}")) + " = :v",
            ExpressionAttributeNames = ("spec." + otherField).Split('.').Select((p, i) => (p, i)).ToDictionary(x => $"#p{x.i}", x => x.p),
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":v"] = otherValue },
        }));
        var control = new JobControl(racing, scheduler: null);

        await (verb switch
        {
            "suspend" => control.SetSuspendAsync("edited", true, default),
            "resume" => control.SetSuspendAsync("edited", false, default),
            "scale" => control.ScaleAsync("edited", 9, default),
            _ => control.RedriveAsync("edited", default),
        });

        var after = JobItemCodec.Decode((await backend.Client.GetItemAsync(new GetItemRequest
        {
            TableName = backend.Options.JobsTable,
            Key = new Dictionary<string, AttributeValue> { ["name"] = new() { S = "edited" } },
            ConsistentRead = true,
        })).Item);
        Assert.True(racing.Raced);
        var expected = verb switch
        {
            "suspend" => (true, 7, 0L),
            "resume" => (false, 7, 0L),
            "scale" => (true, 9, 0L),
            _ => (false, 7, 1L),
        };
        Assert.Equal(expected, (after.Spec.Suspend, after.Spec.Slurm.MaxConcurrent, after.Spec.RetryGeneration));
    }

    [SkippableTheory]
    [MemberData(nameof(DynamoBackend.All), MemberType = typeof(DynamoBackend))]
    public async Task Apply_replace_refuses_a_spec_changed_since_the_read_and_ignores_a_status_write(string kind)
    {
        await using var backend = await DynamoStateStoreTests.StartAsync(kind);
        using var metrics = new CoordinatorMetrics();
        var store = new DynamoStateStore(backend.Client, backend.Options, metrics);
        await store.PutJobSpecAsync(DynamoStateStoreTests.NewJob("applied", "s3://in/a/"), replace: false, default);
        var read = (await store.GetJobAsync("applied", default))!;
        var daemon = (await store.GetJobAsync("applied", default))!;
        daemon.Status.Phase = JobPhase.Running;
        await store.UpdateJobStatusAsync(daemon, default);

        // The daemon's status write between the read and the replace is no conflict: the spec is as read.
        await store.ReplaceJobSpecAsync(read, DynamoStateStoreTests.NewJob("applied", "s3://in/b/"), default);
        var second = (await store.GetJobAsync("applied", default))!;
        var other = new JobControl(store, scheduler: null);
        await other.SetSuspendAsync("applied", true, default);
        var conflict = await Assert.ThrowsAsync<ConflictException>(() =>
            store.ReplaceJobSpecAsync(second, DynamoStateStoreTests.NewJob("applied", "s3://in/c/"), default));

        var after = (await store.GetJobAsync("applied", default))!;
        Assert.Contains("changed since they were read", conflict.Message, StringComparison.Ordinal);
        Assert.Equal(("s3://in/b/", true, JobPhase.Running), (after.Spec.Input.Uri, after.Spec.Suspend, after.Status.Phase));
    }

    /// <summary>The real store, with another user's write made once, right after the first read of the job.</summary>
    private sealed class RacingStore(DynamoStateStore inner, Func<Task> otherWrite) : IStateStore
    {
        public bool Raced { get; private set; }

        public async Task<Job?> GetJobAsync(string name, CancellationToken ct)
        {
            var job = await inner.GetJobAsync(name, ct);
            if (!Raced)
            {
                Raced = true;
                await otherWrite();
            }
            return job;
        }

        public IAsyncEnumerable<string> ListActiveJobNamesAsync(CancellationToken ct) => inner.ListActiveJobNamesAsync(ct);
        public IAsyncEnumerable<Job> ListJobsAsync(CancellationToken ct) => inner.ListJobsAsync(ct);
        public Task PutJobSpecAsync(Job job, bool replace, CancellationToken ct) => inner.PutJobSpecAsync(job, replace, ct);
        public Task UpdateJobSpecFieldsAsync(Job read, IReadOnlyList<SpecFieldEdit> edits, CancellationToken ct) =>
            inner.UpdateJobSpecFieldsAsync(read, edits, ct);
        public Task<long> UpdateJobStatusAsync(Job job, CancellationToken ct) => inner.UpdateJobStatusAsync(job, ct);
        public Task DeleteJobAsync(string name, CancellationToken ct) => inner.DeleteJobAsync(name, ct);
        public Task PutTasksAsync(IReadOnlyList<JobTask> tasks, CancellationToken ct) => inner.PutTasksAsync(tasks, ct);
        public Task<JobTask?> GetTaskAsync(string job, int index, CancellationToken ct) => inner.GetTaskAsync(job, index, ct);
        public Task<TaskPage> QueryTasksAsync(string job, string? pageToken, int pageSize, CancellationToken ct) =>
            inner.QueryTasksAsync(job, pageToken, pageSize, ct);
        public Task<long> UpdateTaskAsync(JobTask task, CancellationToken ct) => inner.UpdateTaskAsync(task, ct);
        public Task DeleteTasksAsync(string job, CancellationToken ct) => inner.DeleteTasksAsync(job, ct);
        public Task<int> DeleteStaleTasksAsync(string job, int fromIndex, long generation, CancellationToken ct) =>
            inner.DeleteStaleTasksAsync(job, fromIndex, generation, ct);
    }
}
