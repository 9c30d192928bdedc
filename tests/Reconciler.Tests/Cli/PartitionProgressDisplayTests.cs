using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Cli.Output;

namespace Coordinator.Reconciler.Tests.Cli;

/// <summary>status.partition in get, describe and watch while a job partitions (before there is a batch total).</summary>
public sealed class PartitionProgressDisplayTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 21, 0, 0, TimeSpan.Zero);

    private static Job Partitioning() => new()
    {
        Name = "big",
        Generation = 1,
        Status = new JobStatus
        {
            Phase = JobPhase.Partitioning,
            StartedAt = Now.AddMinutes(-1),
            Partition = new PartitionProgress
            {
                BatchesCut = 12, BytesRead = 3L << 30, BytesTotal = 12L << 30, Objects = 4,
                StartedAt = Now.AddMinutes(-1), UpdatedAt = Now.AddSeconds(-3),
            },
        },
    };

    [Fact]
    public void Watch_draws_a_bar_of_bytes_read_instead_of_no_batches_yet()
    {
        var line = ProgressLine.Render(Partitioning(), null, null, 100);

        Assert.DoesNotContain("no batches yet", line, StringComparison.Ordinal);
        Assert.StartsWith("Partitioning [", line, StringComparison.Ordinal);
        Assert.Contains("12 batches cut, 3.0 GiB of 12.0 GiB read", line, StringComparison.Ordinal);
        var bar = line[(line.IndexOf('[', StringComparison.Ordinal) + 1)..line.IndexOf(']', StringComparison.Ordinal)];
        Assert.Equal(bar.Length / 4, bar.Count(ch => ch == '#')); // a quarter of the bytes read
        Assert.True(line.Length <= 100, line);
    }

    [Fact]
    public void Get_shows_batches_cut_and_describe_shows_the_bytes_and_how_old_the_figures_are()
    {
        var job = Partitioning();
        Assert.Equal("12 cut", JobTable.Batches(job));

        var text = JobDescription.Render(job, [], Now, 120);
        Assert.Contains("12 batches cut, 3.0 GiB of 12.0 GiB read (25%) from 4 object(s), updated 3s ago", text, StringComparison.Ordinal);

        job.Status.Partition = null;
        Assert.Equal("-", JobTable.Batches(job));
        Assert.DoesNotContain("batches cut", JobDescription.Render(job, [], Now, 120), StringComparison.Ordinal);
    }
}
