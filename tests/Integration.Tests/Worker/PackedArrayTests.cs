using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;

namespace Coordinator.Integration.Tests.Worker;

/// <summary>
/// Packed arrays on the real Slurm (spec.dispatch.batchesPerTask): one array task runs a block of batches, each
/// recorded on its own; a batch that fails inside a pack is retried alone, in a new task of its own.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class PackedArrayTests(LocalStackFixture aws, SlurmFixture slurm) : IAsyncLifetime
{
    private SlurmPipeline _p = null!;

    public async Task InitializeAsync() => _p = await SlurmPipeline.CreateAsync(aws);

    public async Task DisposeAsync() => await _p.DisposeAsync();

    [Fact]
    public async Task APack_RunsItsBatchesInOneTask_AndAFailedBatchInsideIsRetriedAlone()
    {
        slurm.Require();
        var name = "it-" + Guid.NewGuid().ToString("N")[..8];
        const string FailFiveOnce = "import os, sys\nif os.environ['COORDINATOR_BATCH'] == '5' and os.environ['COORDINATOR_ATTEMPT'] == '1': sys.exit('batch 5 fails once')\nsys.stdout.write(sys.stdin.read())";
        await _p.SeedAsync(name, batches: 12, records: 2, s =>
        {
            s.Handler.Command = ["python3", "-c", FailFiveOnce];
            s.Dispatch.BatchesPerTask = 4;
            s.Retry.MaxAttempts = 2;
            s.Retry.Backoff = new BackoffSpec { Base = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(2) };
        });
        var job = await _p.RunUntilFinishedAsync(name, TimeSpan.FromMinutes(3));
        Assert.True(job.Status.Phase == JobPhase.Succeeded, $"{job.Status.Phase}: {job.Status.Message}\n{_p.Logs()}");
        Assert.Equal((12L, 24L), (job.Status.Batches.Succeeded, job.Status.Records.Output));
        var tasks = new List<JobTask>();
        for (var i = 0; i < 12; i++)
        {
            tasks.Add(await _p.TaskAsync(name, i));
        }
        // Three packs of four: each pack's batches ran in one array task (same Slurm job and array index).
        for (var pack = 0; pack < 3; pack++)
        {
            var members = tasks.Where(t => t.Index / 4 == pack && t.Index != 5).Select(t => (t.SlurmJobId, t.SlurmArrayTaskId)).Distinct();
            Assert.Equal((tasks[pack * 4].SlurmJobId, pack.ToString(System.Globalization.CultureInfo.InvariantCulture)), Assert.Single(members));
        }
        Assert.All(tasks.Where(t => t.Index != 5), t => Assert.Equal(1, t.Attempt));
        // Batch 5 failed once inside pack 1 and was retried alone: a later submission, its pack-mates not run again.
        Assert.Equal((TaskState.Succeeded, 2), (tasks[5].State, tasks[5].Attempt));
        Assert.NotEqual(tasks[4].SlurmJobId, tasks[5].SlurmJobId);
        Assert.Equal("1", tasks[5].SlurmArrayTaskId);
    }
}
