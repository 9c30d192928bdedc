using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Cli.Output;

namespace Coordinator.Reconciler.Tests.Cli;

public sealed class JobTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    internal static Job RunningJob(string name, string message = "") => new()
    {
        Name = name,
        Labels = new Dictionary<string, string> { ["team"] = "nlp", ["env"] = "prod" },
        Generation = 2,
        Status = new JobStatus
        {
            Phase = JobPhase.Running,
            Batches = new BatchCounts { Total = 40, Succeeded = 12, Running = 3, Failed = 1, Pending = 24 },
            Records = new RecordCounts { Input = 40_000, Output = 12_000 },
            StartedAt = Now.AddMinutes(-3).AddSeconds(-12),
            Message = message,
        },
    };

    [Fact]
    public void The_narrow_table_shows_batches_done_of_total_failed_and_duration_within_80_columns()
    {
        var jobs = new[]
        {
            RunningJob("wordcount-2026-11", "waiting for " + new string('z', 120)),
            RunningJob(new string('n', 63)),
        };

        var text = JobTable.Render(jobs, wide: false, Now, width: 80);

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length}: {l}"));
        Assert.Matches(@"^NAME\s+PHASE\s+BATCHES\s+FAILED\s+DURATION\s+MESSAGE$", lines[0]);
        Assert.Matches(@"^wordcount-2026-11\s+Running\s+12/40\s+1\s+3m12s\s+waiting f…$", lines[1]); // messages give way first
        Assert.Contains("…", lines[2], StringComparison.Ordinal); // a 63-character name is cut in the middle to fit
    }

    [Fact]
    public void The_wide_table_adds_generation_running_records_mode_and_sorted_labels_uncut()
    {
        var text = JobTable.Render([RunningJob("wc", new string('y', 100))], wide: true, Now, width: 80);

        var row = text.Split('\n')[1];
        Assert.Matches(@"^wc\s+Running\s+2\s+12/40\s+3\s+1\s+40000→12000\s+array\s+3m12s\s+env=prod,team=nlp\s+y{100}$", row);
    }

    [Fact]
    public void A_job_not_yet_partitioned_shows_a_dash_for_batches()
    {
        var job = new Job { Name = "fresh" };

        Assert.Equal("-", JobTable.Batches(job));
        Assert.Matches(@"^fresh\s+Pending\s+-\s+0\s+-$", JobTable.Render([job], wide: false, Now, 80).Split('\n')[1]);
    }
}
