using System.Text.Json;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Testing.Handlers;

namespace Coordinator.Integration.Tests.Worker;

/// <summary>
/// handler.mode: stream on the real stack (DynamoDB and S3 on moto, the real Slurm running `coordinator worker`):
/// pilots reuse one handler process per slot; a handler that crashes mid-batch fails only that batch's attempt, which
/// is retried and recorded exactly once; a batch past its timeout in array mode is retried by a new array task.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class StreamModeTests(LocalStackFixture aws, SlurmFixture slurm) : IAsyncLifetime
{
    private SlurmPipeline _p = null!;

    public async Task InitializeAsync() => _p = await SlurmPipeline.CreateAsync(aws);

    public async Task DisposeAsync() => await _p.DisposeAsync();

    private static string Name() => "it-" + Guid.NewGuid().ToString("N")[..8];

    private static void Stream(JobSpec spec, string misbehave = "", int onBatch = -1)
    {
        spec.Handler.Command = ["python3", "-c", StreamHandlerScripts.Misbehaving];
        spec.Handler.Mode = HandlerMode.Stream;
        spec.Handler.Env["MISBEHAVE"] = misbehave;
        spec.Handler.Env["ON_BATCH"] = onBatch.ToString(System.Globalization.CultureInfo.InvariantCulture);
        spec.Retry.Backoff = new BackoffSpec { Base = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(2) };
    }

    /// <summary>The aggregated output's records: their "n" in order and the handler pids that wrote them.</summary>
    private async Task<(List<long> N, HashSet<int> Pids)> OutputAsync(Job job)
    {
        var n = new List<long>();
        var pids = new HashSet<int>();
        foreach (var line in (await _p.ReadAsync(job.Status.Output!.Uri)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var record = JsonDocument.Parse(line);
            n.Add(record.RootElement.GetProperty("n").GetInt64());
            pids.Add(record.RootElement.GetProperty("pid").GetInt32());
        }
        return (n, pids);
    }

    [Fact]
    public async Task PilotMode_StreamHandler_ServesManyBatchesPerProcess()
    {
        slurm.Require();
        var name = Name();
        await _p.SeedAsync(name, batches: 40, records: 2, s =>
        {
            Stream(s);
            s.Dispatch.Mode = DispatchMode.Pilot;
            s.Dispatch.Workers = 2;
        });
        var job = await _p.RunUntilFinishedAsync(name, TimeSpan.FromMinutes(3));
        Assert.True(job.Status.Phase == JobPhase.Succeeded, $"{job.Status.Phase}: {job.Status.Message}\n{_p.Logs()}");
        var (n, pids) = await OutputAsync(job);
        Assert.Equal(Enumerable.Range(0, 80).Select(i => (long)i), n);
        // 2 pilots × 8 slots at most, for 40 batches: processes were reused.
        Assert.InRange(pids.Count, 1, 16);
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(1, (await _p.TaskAsync(name, i)).Attempt);
        }
    }

    [Fact]
    public async Task PilotMode_HandlerCrashingMidBatch_FailsThatAttemptOnly_RetriedAndRecordedExactlyOnce()
    {
        slurm.Require();
        var name = Name();
        await _p.SeedAsync(name, batches: 10, records: 3, s =>
        {
            Stream(s, "crash", onBatch: 3);
            s.Dispatch.Mode = DispatchMode.Pilot;
            s.Dispatch.Workers = 1;
            s.Retry.MaxAttempts = 3;
        });
        var job = await _p.RunUntilFinishedAsync(name, TimeSpan.FromMinutes(3));
        Assert.True(job.Status.Phase == JobPhase.Succeeded, $"{job.Status.Phase}: {job.Status.Message}\n{_p.Logs()}");
        var crashed = await _p.TaskAsync(name, 3);
        Assert.Equal((TaskState.Succeeded, 2), (crashed.State, crashed.Attempt));
        Assert.Contains("batch 3 attempt 2", crashed.StderrTail, StringComparison.Ordinal);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(i == 3 ? 2 : 1, (await _p.TaskAsync(name, i)).Attempt);
        }
        var (n, _) = await OutputAsync(job);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), n);
        Assert.Equal(30L, job.Status.Records.Output);
    }

    [Fact]
    public async Task ArrayMode_StreamBatchPastItsTimeout_IsStoppedAndRetried()
    {
        slurm.Require();
        var name = Name();
        await _p.SeedAsync(name, batches: 3, records: 2, s =>
        {
            Stream(s, "hang", onBatch: 1);
            s.Handler.Timeout = TimeSpan.FromSeconds(2);
            s.Retry.MaxAttempts = 2;
        });
        var job = await _p.RunUntilFinishedAsync(name, TimeSpan.FromMinutes(3));
        Assert.True(job.Status.Phase == JobPhase.Succeeded, $"{job.Status.Phase}: {job.Status.Message}\n{_p.Logs()}");
        var hung = await _p.TaskAsync(name, 1);
        Assert.Equal((TaskState.Succeeded, 2), (hung.State, hung.Attempt));
        var (n, _) = await OutputAsync(job);
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), n);
    }
}
