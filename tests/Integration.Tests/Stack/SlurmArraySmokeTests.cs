using System.Globalization;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Stack;

/// <summary>
/// Proves the local Slurm is real: a 4-task job array with a %2 throttle, submitted with `sbatch --parsable`, runs
/// every task to completion, and never more than two at once.
/// </summary>
[Collection(LocalStackCollection.Name)]
public sealed class SlurmArraySmokeTests(SlurmFixture slurm) : IDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("coordinator-slurm-smoke-").FullName;

    [Fact]
    public async Task Array_of_four_with_throttle_two_completes_every_task_and_runs_at_most_two_at_once()
    {
        slurm.Require();
        // Each task records its start and end in nanoseconds, so the test can check the %2 throttle held.
        const string script = "date +%s%N > start-$SLURM_ARRAY_TASK_ID; sleep 1; date +%s%N > end-$SLURM_ARRAY_TASK_ID; " +
                              "echo done $SLURM_ARRAY_TASK_ID";
        var submitted = (await ProcessRunner.RunAsync("sbatch",
        [
            "--parsable", "--array=0-3%2", "--job-name=coordinator-smoke", "--chdir", _workDir,
            "--output", Path.Combine(_workDir, "out-%a.txt"), "--wrap", script,
        ])).EnsureSuccess();
        var jobId = submitted.StandardOutput.Trim().Split(';')[0];
        Assert.Matches("^[0-9]+$", jobId);

        await WaitUntilGoneFromQueueAsync(jobId, TimeSpan.FromSeconds(90));

        var intervals = new List<(long Start, long End)>();
        for (var task = 0; task < 4; task++)
        {
            var output = Path.Combine(_workDir, $"out-{task}.txt");
            Assert.True(File.Exists(output), $"array task {task} of job {jobId} wrote no output file {output}");
            Assert.Equal($"done {task}", (await File.ReadAllTextAsync(output)).Trim());
            intervals.Add((ReadNanos($"start-{task}"), ReadNanos($"end-{task}")));
        }
        var maxConcurrent = intervals.Max(i => intervals.Count(o => o.Start < i.End && i.Start < o.End));
        Assert.InRange(maxConcurrent, 1, 2);
    }

    public void Dispose() => Directory.Delete(_workDir, recursive: true);

    private long ReadNanos(string file) =>
        long.Parse(File.ReadAllText(Path.Combine(_workDir, file)).Trim(), CultureInfo.InvariantCulture);

    private static async Task WaitUntilGoneFromQueueAsync(string jobId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var queue = (await ProcessRunner.RunAsync("squeue", ["-h", "-j", jobId, "-o", "%i %T"])).EnsureSuccess();
            if (queue.StandardOutput.Trim().Length == 0)
            {
                return;
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Slurm job {jobId} was still queued or running after {timeout.TotalSeconds:0} s");
    }
}
