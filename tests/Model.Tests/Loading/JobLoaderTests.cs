using Coordinator.Model.Loading;
using Coordinator.Model.Spec;

namespace Coordinator.Model.Tests.Loading;

public class JobLoaderTests
{
    internal const string DesignExample = """
        apiVersion: coordinator/v1
        kind: Job
        metadata:
          name: wordcount-2026-11
          labels: {team: nlp}
        spec:
          input:
            uri: s3://data/in/
            format: jsonl
            csv: {delimiter: ",", header: true}
          batching:
            maxRecords: 1000
            maxBytes: 64MiB
          handler:
            command: ["python3", "/opt/handlers/wc.py"]
            mode: stdio
            timeout: 10m
            env: {MODEL: small}
          output:
            uri: s3://data/out/wordcount-2026-11/
            format: jsonl
            aggregate: concat
          dispatch:
            mode: array
            workers: 8
          slurm:
            partition: debug
            cpusPerTask: 1
            memory: 2G
            timeLimit: "01:00:00"
            gres: null
            account: null
            qos: null
            maxConcurrent: 50
          retry:
            maxAttempts: 3
            backoff: {base: 10s, max: 10m}
            rules:
              - {action: FailJob, onExitCodes: [42]}
          failurePolicy:
            toleratedFailurePercent: 0
            toleratedFailureCount: 0
          suspend: false
          activeDeadline: 24h
          ttlAfterFinished: 7d
        """;

    private static Task<LoadResult> Load(string yaml, params string[] sets) =>
        new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(yaml, sets, CancellationToken.None);

    [Fact]
    public async Task The_design_example_loads_with_every_field_bound()
    {
        var result = await Load(DesignExample);

        Assert.Empty(result.Errors);
        var job = result.Job;
        Assert.Equal("wordcount-2026-11", job.Name);
        Assert.Equal("nlp", job.Labels["team"]);
        Assert.Equal(64L * 1024 * 1024, job.Spec.Batching.MaxBytes);
        Assert.Equal(TimeSpan.FromMinutes(10), job.Spec.Handler.Timeout);
        Assert.Equal("01:00:00", job.Spec.Slurm.TimeLimit);
        Assert.Null(job.Spec.Slurm.Gres);
        Assert.Equal(RetryAction.FailJob, Assert.Single(job.Spec.Retry.Rules).Action);
        Assert.Equal([42], job.Spec.Retry.Rules[0].OnExitCodes);
        Assert.Equal(TimeSpan.FromDays(7), job.Spec.TtlAfterFinished);
        Assert.Equal(8, job.Spec.Dispatch.Workers);
    }

    [Fact]
    public async Task A_range_error_is_reported_with_the_line_and_column_of_the_value()
    {
        var result = await Load(DesignExample.Replace("maxConcurrent: 50", "maxConcurrent: 0", StringComparison.Ordinal));

        Assert.Equal("spec.slurm.maxConcurrent (line 34, col 20): must be between 1 and 100000, got 0", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public async Task Set_overrides_win_over_the_file_and_accept_a_path_without_spec()
    {
        var result = await Load(DesignExample, "slurm.maxConcurrent=7", "spec.handler.command=[python3, other.py]");

        Assert.Empty(result.Errors);
        Assert.Equal(7, result.Job.Spec.Slurm.MaxConcurrent);
        Assert.Equal(["python3", "other.py"], result.Job.Spec.Handler.Command);
    }
}
