using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Data.Formats;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Controllers.Tests.Partitioning;

public sealed class PartitionAndStoreControllerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
    private readonly PartitionFixture _f = new();
    private readonly RecordingStateStore _state = new();

    public void Dispose() => _f.Dispose();

    private CoordinatorOptions Options => new() { DataRoot = new Uri(_f.Root + "/out/").ToString() };
    private PartitionController Partition => new(_f.Store, Options, NullLogger<PartitionController>.Instance, CoordinatorMetrics.NoOp());
    private StoreController Store => new(_f.Store, _state, Options, NullLogger<StoreController>.Instance);

    private static JobContext Context(Job job) => new(job, Now, (_, _) => Task.FromResult(job.Version + 1));

    private static Condition? Find(Job job, string type) => job.Status.Conditions.Find(c => c.Type == type);

    [Fact]
    public async Task Partition_then_store_sets_conditions_counts_and_one_pending_task_per_batch()
    {
        _f.Write("a.jsonl", string.Concat(Enumerable.Range(0, 250).Select(i => $"{{\"i\":{i}}}\n")));
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 100);

        Assert.Equal(ControllerResult.Continue, await Partition.ReconcileAsync(Context(job), CancellationToken.None));
        Assert.Equal("True", Find(job, ConditionTypes.Partitioned)!.Status);
        Assert.Equal(JobPhase.Partitioning, job.Status.Phase);
        Assert.Equal(3, job.Status.Batches.Total);
        Assert.Equal(250, job.Status.Records.Input);

        Assert.Equal(ControllerResult.Continue, await Store.ReconcileAsync(Context(job), CancellationToken.None));
        Assert.Equal("True", Find(job, ConditionTypes.Stored)!.Status);
        Assert.Equal(3, job.Status.Batches.Pending);
        Assert.Equal(3, _state.Tasks.Count);
        var task = _state.Tasks[("job", 2)];
        Assert.Equal(50, task.InputRecords);
        Assert.EndsWith("/jobs/job/1/batches/000002.jsonl", task.InputKey);
        Assert.Equal(64, task.InputSha256.Length);

        // Level-triggered: a second pass does nothing more.
        Assert.Equal(ControllerResult.Continue, await Store.ReconcileAsync(Context(job), CancellationToken.None));
        Assert.Equal(1, _state.PutCalls);
    }

    [Fact]
    public async Task Bad_input_sets_partitioned_false_naming_object_and_line_and_fails_the_job()
    {
        _f.Write("a.jsonl", "{\"a\":1}\n{oops\n");
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 100);

        Assert.Equal(ControllerResult.Stop, await Partition.ReconcileAsync(Context(job), CancellationToken.None));
        var c = Find(job, ConditionTypes.Partitioned)!;
        Assert.Equal("False", c.Status);
        Assert.Equal(InputErrorReasons.MalformedRecord, c.Reason);
        Assert.Contains("a.jsonl line 2", c.Message);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);

        Assert.Equal(ControllerResult.Stop, await Store.ReconcileAsync(Context(job), CancellationToken.None));
        Assert.Empty(_state.Tasks);
    }

    [Fact]
    public async Task With_input_validate_false_a_malformed_line_passes_through_raw_and_is_stored()
    {
        _f.Write("a.jsonl", "{\"a\":1}\n{oops\r\n\n{\"a\":3}\n");
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 100);
        job.Spec.Input.Validate = false;

        Assert.Equal(ControllerResult.Continue, await Partition.ReconcileAsync(Context(job), CancellationToken.None));
        Assert.Equal("True", Find(job, ConditionTypes.Partitioned)!.Status);
        Assert.Equal(3, job.Status.Records.Input); // the blank line is still skipped, CRLF still becomes LF
        Assert.Equal(ControllerResult.Continue, await Store.ReconcileAsync(Context(job), CancellationToken.None));
        var task = Assert.Single(_state.Tasks).Value;
        Assert.Equal("{\"a\":1}\n{oops\n{\"a\":3}\n", File.ReadAllText(new Uri(task.InputKey).LocalPath));
    }

    [Fact]
    public async Task Store_failure_leaves_stored_unset_so_the_next_pass_writes_the_tasks()
    {
        _f.Write("a.jsonl", "{\"a\":1}\n");
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 100);
        await Partition.ReconcileAsync(Context(job), CancellationToken.None);
        _state.FailPutWith = new TimeoutException("dynamodb timed out");
        await Assert.ThrowsAsync<TimeoutException>(() => Store.ReconcileAsync(Context(job), CancellationToken.None));
        Assert.Null(Find(job, ConditionTypes.Stored));

        _state.FailPutWith = null;
        await Store.ReconcileAsync(Context(job), CancellationToken.None);
        Assert.Equal("True", Find(job, ConditionTypes.Stored)!.Status);
        Assert.Single(_state.Tasks);
    }

    [Fact]
    public async Task Missing_input_is_reported_as_input_not_found()
    {
        var job = PartitionFixture.Job(_f.Input("nothing-here.jsonl"), InputFormat.Jsonl, 100);
        await Partition.ReconcileAsync(Context(job), CancellationToken.None);
        Assert.Equal(InputErrorReasons.InputNotFound, Find(job, ConditionTypes.Partitioned)!.Reason);
    }
}
