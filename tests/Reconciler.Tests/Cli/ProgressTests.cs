using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Cli;
using Coordinator.Reconciler.Cli.Output;

namespace Coordinator.Reconciler.Tests.Cli;

public sealed class ProgressTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_rate_is_batches_ended_per_second_over_the_window_and_the_eta_follows_from_it()
    {
        var estimator = new ProgressEstimator(TimeSpan.FromSeconds(60));
        estimator.Add(T0, 0);
        Assert.Null(estimator.Rate);
        Assert.Null(estimator.Eta(10));

        estimator.Add(T0.AddSeconds(10), 20);

        Assert.Equal(2.0, estimator.Rate);
        Assert.Equal(TimeSpan.FromSeconds(15), estimator.Eta(30));
        Assert.Equal(TimeSpan.Zero, estimator.Eta(0));
    }

    [Fact]
    public void Old_samples_leave_the_window_so_the_rate_follows_the_current_pace()
    {
        var estimator = new ProgressEstimator(TimeSpan.FromSeconds(30));
        estimator.Add(T0, 0);
        estimator.Add(T0.AddSeconds(100), 10);   // slow start: partitioning
        estimator.Add(T0.AddSeconds(110), 60);
        estimator.Add(T0.AddSeconds(120), 110);

        Assert.Equal(5.0, estimator.Rate);
    }

    [Fact]
    public void A_count_going_down_after_a_redrive_restarts_the_estimate()
    {
        var estimator = new ProgressEstimator();
        estimator.Add(T0, 10);
        estimator.Add(T0.AddSeconds(5), 20);
        estimator.Add(T0.AddSeconds(6), 15);

        Assert.Null(estimator.Rate);
    }

    [Fact]
    public void The_progress_line_has_a_bar_counts_rate_and_eta_and_fits_the_width()
    {
        var job = new Job
        {
            Name = "wc",
            Status = new JobStatus { Phase = JobPhase.Running, Batches = new BatchCounts { Total = 40, Succeeded = 10, Failed = 0, Running = 4 } },
        };

        var line = ProgressLine.Render(job, 2.5, TimeSpan.FromSeconds(12), width: 79);

        Assert.True(line.Length <= 79, line);
        Assert.Matches(@"^Running \[#+\.+\] 10/40 batches, 4 running  2\.5/s  ETA 12s$", line);
        var bar = line[(line.IndexOf('[', StringComparison.Ordinal) + 1)..line.IndexOf(']', StringComparison.Ordinal)];
        Assert.Equal(bar.Length / 4, bar.Count(c => c == '#'));
    }

    [Fact]
    public void On_a_narrow_terminal_the_bar_is_dropped_rather_than_wrapping_the_line()
    {
        var job = new Job { Status = new JobStatus { Phase = JobPhase.Running, Batches = new BatchCounts { Total = 1000, Succeeded = 500, Failed = 3 } } };

        var line = ProgressLine.Render(job, null, null, width: 40);

        Assert.True(line.Length <= 40, line);
        Assert.DoesNotContain("[", line, StringComparison.Ordinal);
        Assert.StartsWith("Running  500/1000 batches (3 failed)", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Before_partitioning_the_line_says_there_are_no_batches_yet()
    {
        var job = new Job { Status = new JobStatus { Phase = JobPhase.Partitioning, Message = "reading input" } };

        Assert.Equal("Partitioning  (no batches yet: reading input)", ProgressLine.Render(job, null, null, 80));
    }

    [Theory]
    [InlineData(JobPhase.Succeeded, 0)]
    [InlineData(JobPhase.Failed, 1)]
    [InlineData(JobPhase.Cancelled, 5)]
    [InlineData(JobPhase.Invalid, 6)]
    public void Watch_exits_with_the_documented_code_for_each_outcome(JobPhase phase, int code)
    {
        Assert.Equal(code, WatchCommand.OutcomeExitCode(phase));
        Assert.Contains($"  {code}  ", ExitCodes.Table, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(JobPhase.Pending)]
    [InlineData(JobPhase.Partitioning)]
    [InlineData(JobPhase.Running)]
    [InlineData(JobPhase.Suspended)]
    [InlineData(JobPhase.Aggregating)]
    public void Watch_keeps_going_while_the_job_is_on_its_way(JobPhase phase) =>
        Assert.Null(WatchCommand.OutcomeExitCode(phase));

    [Theory]
    [InlineData(5, "5s")]
    [InlineData(192, "3m12s")]
    [InlineData(7500, "2h5m")]
    [InlineData(277200, "3d5h")]
    public void Durations_read_like_kubectl(int seconds, string expected) =>
        Assert.Equal(expected, DurationText.Format(TimeSpan.FromSeconds(seconds)));
}
