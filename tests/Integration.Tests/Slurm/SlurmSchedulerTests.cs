using System.Text.Json;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Commands;
using Coordinator.Scheduling.Slurm;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordinator.Integration.Tests.Slurm;

/// <summary>SlurmScheduler against the real local single-node Slurm (sbatch, squeue --json, scontrol, scancel).</summary>
[Collection("Slurm")]
public sealed class SlurmSchedulerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("coord-slurm-").FullName;
    private readonly SlurmScheduler _slurm = new(new ProcessCommandRunner(), NullLogger<SlurmScheduler>.Instance, CoordinatorMetrics.NoOp(), "it");
    private readonly string _name = "it-" + Guid.NewGuid().ToString("N")[..10];

    public void Dispose()
    {
        foreach (var job in _slurm.ListAsync(_name, default).GetAwaiter().GetResult())
        {
            _slurm.CancelAsync(job.JobId, default).GetAwaiter().GetResult();
        }
        Directory.Delete(_dir, recursive: true);
    }

    private const string Echo =
        "import sys, os, json; open(sys.argv[1] + '/argv-' + os.environ['SLURM_ARRAY_TASK_ID'] + '.json', 'w').write(json.dumps(" +
        "{'argv': sys.argv[2:], 'env': {k: v for k, v in os.environ.items() if k.startswith('T_')}}))";

    private async Task WaitUntilGoneAsync(string jobId, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var live = (await _slurm.ListAsync(_name, default)).Where(j => j.JobId == jobId).SelectMany(j => j.Tasks).Any(t => InFlight.IsLive(t.State));
            if (!live)
            {
                return;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Slurm job {jobId} still live after {limit}");
    }

    [SkippableFact]
    public async Task Submit_RunsEveryArrayTaskWithHostileValuesVerbatimAndExecutesNone()
    {
        Skip.If(SlurmAvailability.Unavailable is not null, SlurmAvailability.Unavailable);
        var canary = Path.Combine(_dir, "canary");
        var hostile = new[]
        {
            $"$(touch {canary})", $"`touch {canary}`", $"; touch {canary}", $"a\ntouch {canary}\n#SBATCH --wrap=x",
            $"'; touch {canary}; '", "../../etc/passwd", "$HOME ${PATH} *", "back\\slash",
        };
        var env = hostile.Select((v, i) => (Name: $"T_{i}", Value: v)).ToDictionary(e => e.Name, e => e.Value);
        var id = await _slurm.SubmitAsync(new SubmitRequest
        {
            JobName = _name,
            Token = "tok@0",
            ArrayIndexes = "0-2",
            MaxConcurrent = 2,
            Command = ["python3", "-c", Echo, _dir, .. hostile],
            Environment = env,
            LogDirectory = Path.Combine(_dir, "logs%"),
            TimeLimit = "00:05:00",
        }, default);
        Directory.CreateDirectory(Path.Combine(_dir, "logs%"));
        await WaitUntilGoneAsync(id, TimeSpan.FromSeconds(90));

        for (var task = 0; task < 3; task++)
        {
            var path = Path.Combine(_dir, $"argv-{task}.json");
            Assert.True(File.Exists(path), $"array task {task} did not run; logs: {string.Join(",", Directory.GetFiles(_dir, "*", SearchOption.AllDirectories))}");
            using var echoed = JsonDocument.Parse(await File.ReadAllTextAsync(path));
            Assert.Equal(hostile, echoed.RootElement.GetProperty("argv").EnumerateArray().Select(e => e.GetString()));
            Assert.All(env, e => Assert.Equal(e.Value, echoed.RootElement.GetProperty("env").GetProperty(e.Key).GetString()));
        }
        Assert.False(File.Exists(canary), "a value was executed by a shell");
    }

    [SkippableFact]
    public async Task ListThrottleHoldReleaseCancel_WorkOnALiveArray()
    {
        Skip.If(SlurmAvailability.Unavailable is not null, SlurmAvailability.Unavailable);
        Directory.CreateDirectory(Path.Combine(_dir, "logs"));
        var id = await _slurm.SubmitAsync(new SubmitRequest
        {
            JobName = _name,
            Token = "abc@100",
            ArrayIndexes = "0-5",
            MaxConcurrent = 1,
            Command = ["sleep", "60"],
            LogDirectory = Path.Combine(_dir, "logs"),
        }, default);

        var listed = Assert.Single(await _slurm.ListAsync(_name, default));
        Assert.Equal((id, _name, "abc@100", 1), (listed.JobId, listed.Name, listed.Comment, listed.MaxConcurrent));
        Assert.Equal([0, 1, 2, 3, 4, 5], listed.Tasks.Select(t => t.ArrayIndex!.Value).Order());
        Assert.Equal([100, 101, 102, 103, 104, 105], InFlight.From([listed]).BatchIndexes.Order());

        await _slurm.UpdateThrottleAsync(id, 3, default);
        Assert.Equal(3, Assert.Single(await _slurm.ListAsync(_name, default)).MaxConcurrent);

        await _slurm.HoldAsync(id, default);
        var held = Assert.Single(await _slurm.ListAsync(_name, default));
        Assert.Contains(held.Tasks, t => t.State == SchedulerTaskState.Pending);
        await _slurm.ReleaseAsync(id, default);

        await _slurm.CancelAsync(id, default);
        await WaitUntilGoneAsync(id, TimeSpan.FromSeconds(30));
    }

    [SkippableFact]
    public async Task MaxArraySize_IsReadFromScontrolShowConfig()
    {
        Skip.If(SlurmAvailability.Unavailable is not null, SlurmAvailability.Unavailable);
        Assert.True(await _slurm.GetMaxArraySizeAsync(default) > 1);
    }

    [SkippableFact]
    public async Task Submit_InvalidPartitionIsAPermanentErrorWithSlurmsMessage()
    {
        Skip.If(SlurmAvailability.Unavailable is not null, SlurmAvailability.Unavailable);
        var error = await Assert.ThrowsAsync<SchedulerException>(() => _slurm.SubmitAsync(new SubmitRequest
        {
            JobName = _name, Token = "t@0", ArrayIndexes = "0", Command = ["true"], LogDirectory = _dir, Partition = "no-such-partition",
        }, default));
        Assert.False(error.Transient);
        Assert.Contains("partition", error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
