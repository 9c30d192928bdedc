using System.Globalization;
using Xunit.Abstractions;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Issue 15, path 3: a worker that exits before it claims its task (here: the worker executable is missing on the
/// node, Slurm:WorkerExecutable = /nonexistent/coordinator) used to leave the task Pending, so it was submitted again
/// every pass, forever, with nothing on the job. Now each submission that produced no claim is counted on the task
/// item; after Dispatch:MaxUnclaimedSubmissions (3) the batch fails with the Slurm task's own stderr tail. Real
/// Slurm, one daemon, one array-mode and one pilot-mode job.
/// </summary>
public sealed class NeverClaimedTests(ITestOutputHelper output)
{
    private const string Missing = "/nonexistent/coordinator";
    private static readonly string[] Done = ["Succeeded", "Failed", "Invalid", "Cancelled"];

    [SkippableFact]
    public async Task A_worker_that_never_starts_fails_its_batches_after_three_submissions_with_the_Slurm_tasks_stderr()
    {
        Skip.If(ChaosStack.Unavailable is not null, ChaosStack.Unavailable);
        await using var stack = new ChaosStack("unclaimed");
        await stack.InitAsync();
        stack.StartDaemon("daemon-a", new Dictionary<string, string?> { ["COORDINATOR__SLURM__WORKEREXECUTABLE"] = Missing });
        var array = stack.JobName("array");
        var pilot = stack.JobName("pilot");
        await ChaosJobs.SubmitAsync(stack, array, ChaosJobs.Records(array, 6, new Random(1)), maxRecords: 3);
        await ChaosJobs.SubmitAsync(stack, pilot, ChaosJobs.Records(pilot, 6, new Random(2)), maxRecords: 3, spec =>
            spec["dispatch"] = M(("mode", S("pilot")), ("workers", N(1))));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var statuses = await stack.WaitForAllAsync([array, pilot], TimeSpan.FromSeconds(120), Done);
        foreach (var job in new[] { array, pilot })
        {
            var status = statuses[job];
            var submissions = stack.SbatchCalls().Count(c => c.JobName == job && c.ExitCode == 0);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{job}: {ChaosStack.Phase(status)} after {clock.Elapsed.TotalSeconds:F0} s, {submissions} submissions: {ChaosStack.Text(status, "message")}"));
            Assert.Equal("Failed", ChaosStack.Phase(status));
            var message = ChaosStack.Text(status, "message");
            Assert.Contains("the worker never started on ", message, StringComparison.Ordinal);
            Assert.Contains($"{Missing}: not found", message, StringComparison.Ordinal);
            Assert.InRange(submissions, 1, 3);
            foreach (var task in await stack.TaskItemsAsync(job))
            {
                Assert.Equal(("Failed", "0", "3"), (ChaosStack.Text(task, "state"), ChaosStack.Text(task, "attempt"), ChaosStack.Text(task, "unclaimedSubmissions")));
                Assert.Contains($"{Missing}: not found", ChaosStack.Text(task, "stderrTail"), StringComparison.Ordinal);
            }
        }
    }
}
