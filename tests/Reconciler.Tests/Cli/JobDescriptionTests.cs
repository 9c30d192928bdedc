using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Cli.Output;

namespace Coordinator.Reconciler.Tests.Cli;

public sealed class JobDescriptionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static JobTask Task(int index, TaskState state, string slurm, int attempt = 1, int? exit = null, string? stderr = null, int minutesAgo = 1) => new()
    {
        Job = "wc", Index = index, State = state, Attempt = attempt, ExitCode = exit, StderrTail = stderr, SlurmJobId = slurm,
        SlurmArrayTaskId = index.ToString(System.Globalization.CultureInfo.InvariantCulture), Reason = exit is > 0 ? "HandlerExit" : null,
        FinishedAt = Now.AddMinutes(-minutesAgo), Host = "node1",
    };

    [Fact]
    public void Describe_lists_slurm_ids_conditions_and_recent_failures_with_the_last_lines_of_stderr()
    {
        var job = JobTableTests.RunningJob("wc");
        job.Status.Conditions.Add(new Condition { Type = "Stored", Status = "True", Reason = "BatchesStored", Message = "40 batches", LastTransitionTime = Now.AddMinutes(-4) });
        var longStderr = string.Join("\n", Enumerable.Range(1, 15).Select(i => $"trace line {i}"));
        var tasks = new[]
        {
            Task(0, TaskState.Succeeded, "101"),
            Task(1, TaskState.Failed, "101", attempt: 3, exit: 2, stderr: longStderr, minutesAgo: 1),
            Task(2, TaskState.Pending, "102", attempt: 1, exit: 1, stderr: "ValueError: bad record\n", minutesAgo: 2),
            Task(3, TaskState.Running, "102"),
        };

        var text = JobDescription.Render(job, tasks, Now, 80);

        Assert.Contains("Slurm jobs:         101, 102\n", text, StringComparison.Ordinal);
        Assert.Matches(@"\n  Stored\s+True\s+BatchesStored\s+4m0s\s+40 batches\n", text);
        Assert.Contains("batch 1: Failed, attempt 3, exit 2, reason HandlerExit, Slurm 101_1, host node1", text, StringComparison.Ordinal);
        Assert.Contains("… 5 earlier lines (coordinator logs wc --batch 1)", text, StringComparison.Ordinal);
        Assert.Contains("    | trace line 15\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("| trace line 5\n", text, StringComparison.Ordinal);
        Assert.Contains("batch 2: Pending, attempt 1, exit 1", text, StringComparison.Ordinal);
        Assert.Contains("    | ValueError: bad record\n", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("batch 1:", StringComparison.Ordinal) < text.IndexOf("batch 2:", StringComparison.Ordinal), "newest failure first");
        Assert.Contains("Spec:\n  apiVersion: coordinator/v1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_most_recent_failures_are_shown()
    {
        var tasks = Enumerable.Range(0, 12).Select(i => Task(i, TaskState.Failed, "7", exit: 1, stderr: "x", minutesAgo: i)).ToArray();

        var failures = JobDescription.Failures(tasks);

        Assert.Equal([0, 1, 2, 3, 4], failures.Select(t => t.Index));
    }

    [Fact]
    public void Succeeded_and_never_failed_tasks_are_not_failures()
    {
        var tasks = new[] { Task(0, TaskState.Succeeded, "1"), Task(1, TaskState.Pending, "1", attempt: 0), Task(2, TaskState.Running, "1") };

        Assert.Empty(JobDescription.Failures(tasks));
    }

    [Fact]
    public void Describe_ends_with_the_jobs_events_newest_last_with_their_counts_kubectl_style()
    {
        var job = JobTableTests.RunningJob("wc");
        job.Status.Events.Add(new JobEvent { Type = "Warning", Reason = "ReconcileError", Message = "dispatch: sbatch printed garbage", Count = 12, FirstTimestamp = Now.AddMinutes(-10), LastTimestamp = Now.AddMinutes(-1) });
        job.Status.Events.Add(new JobEvent { Type = "Warning", Reason = "UnreadableTaskItem", Message = "task 3: heartbeat: expected an ISO-8601 time", Count = 1, FirstTimestamp = Now.AddSeconds(-30), LastTimestamp = Now.AddSeconds(-30) });

        var text = JobDescription.Render(job, [], Now, 120);

        var events = text[text.IndexOf("\nEvents:\n", StringComparison.Ordinal)..];
        Assert.Matches(@"^\nEvents:\n  TYPE\s+REASON\s+AGE\s+MESSAGE\n", events);
        Assert.Matches(@"\n  Warning\s+ReconcileError\s+1m0s \(x12 over 9m0s\)\s+dispatch: sbatch printed garbage\n", events);
        Assert.Matches(@"\n  Warning\s+UnreadableTaskItem\s+30s\s+task 3: heartbeat: expected an ISO-8601 time\n$", events);
        Assert.True(text.IndexOf("Spec:", StringComparison.Ordinal) < text.IndexOf("Events:", StringComparison.Ordinal), "events come last, as in kubectl");
    }

    [Fact]
    public void Describe_says_none_when_the_job_has_no_events()
    {
        var text = JobDescription.Render(JobTableTests.RunningJob("wc"), [], Now, 80);

        Assert.EndsWith("\nEvents:\n  (none)\n", text, StringComparison.Ordinal);
    }
}
