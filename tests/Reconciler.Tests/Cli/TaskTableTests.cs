using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Cli.Output;

namespace Coordinator.Reconciler.Tests.Cli;

public sealed class TaskTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static readonly JobTask[] Tasks =
    [
        new() { Job = "wc", Index = 0, State = TaskState.Succeeded, Attempt = 1, Reason = "Succeeded" },
        new() { Job = "wc", Index = 1, State = TaskState.Failed, Attempt = 1, ExitCode = 42, Reason = "FailJob: HandlerExit: exit code 42", Verdict = TaskVerdict.FailJob },
    ];

    [Fact]
    public void Wide_shows_the_verdict_beside_the_reason()
    {
        var lines = TaskTable.Render(Tasks, wide: true, Now, width: 200).TrimEnd('\n').Split('\n');

        Assert.Matches(@"^INDEX\s+STATE\s+ATTEMPT\s+EXIT\s+SLURM\s+HOST\s+DURATION\s+RECORDS\s+HEARTBEAT\s+VERDICT\s+REASON\s+RESULT$", lines[0]);
        Assert.Matches(@"\s-\s+Succeeded\s+-$", lines[1]);
        Assert.Matches(@"\sFailJob\s+FailJob: HandlerExit: exit code 42\s+-$", lines[2]);
    }

    [Fact]
    public void Narrow_keeps_its_columns_and_the_reason_text()
    {
        var lines = TaskTable.Render(Tasks, wide: false, Now, width: 200).TrimEnd('\n').Split('\n');

        Assert.Matches(@"^INDEX\s+STATE\s+ATTEMPT\s+EXIT\s+SLURM\s+HOST\s+DURATION\s+REASON$", lines[0]);
        Assert.EndsWith("FailJob: HandlerExit: exit code 42", lines[2], StringComparison.Ordinal);
    }
}
