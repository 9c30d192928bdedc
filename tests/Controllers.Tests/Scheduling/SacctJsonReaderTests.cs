using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Slurm;

namespace Coordinator.Controllers.Tests.Scheduling;

/// <summary>
/// The sacct reader on real output: Captured/sacct-22.05.json is `sacct --json -j 28-34` from the 3-node cluster of
/// `localstack/up --nodes 3` (Slurm 22.05.8, slurmdbd, OverMemoryKill), pruned to the fields the reader reads. The jobs
/// (comment capdep/…, one otherdep/…): an array of 3 whose task 2 exited 3, a job over its 100M (killed by
/// OverMemoryKill), one past its 1-minute limit, one scancelled, one preempted by the high QOS (requeued, then
/// scancelled while pending), and one whose host was killed outright (every process in its netns) with --no-requeue.
/// </summary>
public sealed class SacctJsonReaderTests
{
    private static readonly string Captured = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Scheduling", "Captured", "sacct-22.05.json"));

    private static IReadOnlyList<AccountedTask> Read() => SacctJsonReader.Read(Captured, "capdep");

    [Fact]
    public void Read_KeepsOnlyTheDeploymentsJobsWithTheirCommentsUnmarked()
    {
        var tasks = Read();
        Assert.DoesNotContain(tasks, t => t.Name == "cap-other");
        Assert.Equal(9, tasks.Count);
        Assert.Contains(tasks, t => t.Comment == "tok5@pilot");
        Assert.Empty(SacctJsonReader.Read(Captured, "nobody"));
    }

    [Fact]
    public void Read_ArrayTasksCarryTheArraysIdAndTheirIndex()
    {
        var array = Read().Where(t => t.Name == "cap-array").OrderBy(t => t.ArrayIndex).ToList();
        Assert.Equal([("28", 0, "COMPLETED", "node1"), ("28", 1, "COMPLETED", "node2"), ("28", 2, "FAILED", "node3")],
            array.Select(t => (t.JobId, t.ArrayIndex!.Value, t.State, t.Node!)));
    }

    [Fact]
    public void Read_OverMemoryKillIsReadAsOutOfMemoryWithMaxRssAndLimit()
    {
        var oom = Assert.Single(Read(), t => t.Name == "cap-oom");
        Assert.Equal(("29", null, "OUT_OF_MEMORY", "node1", 9), (oom.JobId, oom.ArrayIndex, oom.State, oom.Node, oom.Signal));
        Assert.Equal(100L << 20, oom.MemoryLimitBytes);
        Assert.True(oom.MaxRssBytes > 300L << 20, $"MaxRSS {oom.MaxRssBytes}");
        Assert.Equal("OUT_OF_MEMORY on node1, MaxRSS 310M of 100M, signal 9", oom.Describe());
    }

    [Fact]
    public void Read_TimeoutCancelledNodeFailAndPreemptedKeepSlurmsStateNodeAndWho()
    {
        var tasks = Read();
        Assert.Equal("TIMEOUT on node2", Assert.Single(tasks, t => t.Name == "cap-timeout").Describe());
        var cancelled = Assert.Single(tasks, t => t.Name == "cap-cancel");
        Assert.Equal(("CANCELLED", "root"), (cancelled.State, cancelled.CancelledBy));
        Assert.Equal("CANCELLED by root on node3", cancelled.Describe());
        Assert.Equal("NODE_FAIL on node3", Assert.Single(tasks, t => t.Name == "cap-nodefail").Describe());
        // A requeued job has one record per run, oldest first: the preempted run, then the one cancelled while pending.
        var preempted = tasks.Where(t => t.Name == "cap-preempted").ToList();
        Assert.Equal([("PREEMPTED", "node1"), ("CANCELLED", null)], preempted.Select(t => (t.State, t.Node)));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"errors\": [], \"jobs\": 3}")]
    public void Read_OutputWithoutAJobsListIsATransientSchedulerError(string json)
    {
        var error = Assert.Throws<SchedulerException>(() => SacctJsonReader.Read(json, "capdep"));
        Assert.True(error.IsTransient);
    }

    [Fact]
    public void Read_ErrorsInTheDocumentAreThrownNotReadAsNothingEnded()
    {
        var error = Assert.Throws<SchedulerException>(() => SacctJsonReader.Read(
            "{\"errors\": [{\"error\": \"Unable to connect to database\", \"error_number\": 7000}], \"jobs\": []}", "capdep"));
        Assert.Contains("Unable to connect to database", error.Message, StringComparison.Ordinal);
    }
}
