using Coordinator.Controllers.Pipeline;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Integration.Tests.Worker;

/// <summary>
/// Batches run by `coordinator worker` under the real Slurm, with DynamoDB and S3 on moto: array mode, pilot mode,
/// a failing handler under the retry policy, and tolerated failures.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class SlurmPipelineTests(LocalStackFixture aws, SlurmFixture slurm) : IAsyncLifetime
{
    private SlurmPipeline _p = null!;

    public async Task InitializeAsync() => _p = await SlurmPipeline.CreateAsync(aws);

    public async Task DisposeAsync() => await _p.DisposeAsync();

    private static string Name() => "it-" + Guid.NewGuid().ToString("N")[..8];

    private const string Upper = "import sys, json\nfor line in sys.stdin:\n    r = json.loads(line); r['x'] = r['n'] * 2; print(json.dumps(r))";

    [Fact]
    public async Task ArrayMode_RunsEveryBatchOnSlurmAndAggregatesInOrder()
    {
        slurm.Require();
        var name = Name();
        await _p.SeedAsync(name, batches: 5, records: 3, s => s.Handler.Command = ["python3", "-c", Upper]);
        var job = await _p.RunUntilFinishedAsync(name, TimeSpan.FromMinutes(3));
        Assert.True(job.Status.Phase == JobPhase.Succeeded, $"{job.Status.Phase}: {job.Status.Message}\n{_p.Logs()}");
        Assert.Equal((5L, 15L, 15L), (job.Status.Batches.Succeeded, job.Status.Records.Input, job.Status.Records.Output));
        Assert.Equal("0-4", job.Status.CompletedIndexes);
        var output = await _p.ReadAsync(job.Status.Output!.Uri);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 15).Select(n => $"{{\"n\": {n}, \"x\": {n * 2}}}"), lines);
        Assert.Contains("\"SUCCEEDED\"", await _p.ReadAsync(job.Status.Output.Manifest), StringComparison.Ordinal);
        Assert.NotNull((await _p.TaskAsync(name, 4)).SlurmJobId);
    }

    [Fact]
    public async Task AMissingOutputBucketFailsTheJobBeforeAnyBatchIsDispatchedNamingTheUri()
    {
        slurm.Require();
        var name = Name();
        var bucket = "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8];
        await _p.SeedAsync(name, batches: 2, records: 3, s =>
        {
            s.Handler.Command = ["python3", "-c", Upper];
            s.Output.Uri = $"s3://{bucket}/out/";
        });
        var job = await _p.RunUntilFinishedAsync(name, TimeSpan.FromMinutes(3));
        Assert.True(job.Status.Phase == JobPhase.Failed, $"{job.Status.Phase}: {job.Status.Message}");
        Assert.Contains($"s3://{bucket}/out/", job.Status.Message, StringComparison.Ordinal);
        Assert.Contains("before any batch ran", job.Status.Message, StringComparison.Ordinal);
        Assert.Equal("OutputNotWritable", StatusEditor.GetCondition(job.Status, ConditionTypes.Failed)?.Reason);
        Assert.Null((await _p.TaskAsync(name, 0)).SlurmJobId);
        Assert.Equal(TaskState.Pending, (await _p.TaskAsync(name, 1)).State);
    }

    [Fact]
    public async Task PilotMode_TwoWorkersDrainAllBatchesEachOnce()
    {
        slurm.Require();
        var name = Name();
        await _p.SeedAsync(name, batches: 12, records: 2, s =>
        {
            s.Handler.Command = ["cat"];
            s.Dispatch.Mode = DispatchMode.Pilot;
            s.Dispatch.Workers = 2;
        });
        var job = await _p.RunUntilFinishedAsync(name, TimeSpan.FromMinutes(3));
        Assert.True(job.Status.Phase == JobPhase.Succeeded, $"{job.Status.Phase}: {job.Status.Message}\n{_p.Logs()}");
        Assert.Equal(24L, job.Status.Records.Output);
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal(1, (await _p.TaskAsync(name, i)).Attempt);
        }
    }

    [Fact]
    public async Task FailingHandler_IsRetriedThenFailsTheJobWithPerBatchReasons()
    {
        slurm.Require();
        var name = Name();
        const string FailOnSeven = "import sys, json\nfor line in sys.stdin:\n    r = json.loads(line)\n    if r['n'] == 7: sys.exit('bad record 7')\n    print(line, end='')";
        await _p.SeedAsync(name, batches: 3, records: 3, s =>
        {
            s.Handler.Command = ["python3", "-c", FailOnSeven];
            s.Retry.MaxAttempts = 2;
            s.Retry.Backoff = new BackoffSpec { Base = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(2) };
        });
        var job = await _p.RunUntilFinishedAsync(name, TimeSpan.FromMinutes(3));
        Assert.True(job.Status.Phase == JobPhase.Failed, $"{job.Status.Phase}: {job.Status.Message}\n{_p.Logs()}");
        Assert.Equal("2", job.Status.FailedIndexes);
        Assert.Contains("batch 2", job.Status.Message, StringComparison.Ordinal);
        var failed = await _p.TaskAsync(name, 2);
        Assert.Equal((TaskState.Failed, 2, 1), (failed.State, failed.Attempt, failed.ExitCode));
        Assert.Contains("bad record 7", failed.StderrTail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToleratedFailures_SucceedWithTheFailedBatchInTheManifest()
    {
        slurm.Require();
        var name = Name();
        await _p.SeedAsync(name, batches: 4, records: 2, s =>
        {
            s.Handler.Command = ["python3", "-c", "import os, sys\nif os.environ['COORDINATOR_BATCH'] == '1': sys.exit(3)\nsys.stdout.write(sys.stdin.read())"];
            s.Retry.MaxAttempts = 1;
            s.FailurePolicy.ToleratedFailurePercent = 25;
        });
        var job = await _p.RunUntilFinishedAsync(name, TimeSpan.FromMinutes(3));
        Assert.True(job.Status.Phase == JobPhase.Succeeded, $"{job.Status.Phase}: {job.Status.Message}\n{_p.Logs()}");
        Assert.Equal((6L, 2L), (job.Status.Records.Output, job.Status.Records.Failed));
        Assert.Contains("\"FAILED\"", await _p.ReadAsync(job.Status.Output!.Manifest), StringComparison.Ordinal);
    }
}
