using Amazon.S3.Model;
using Coordinator.Aws.Items;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Status;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>scale, cancel, delete and submit --replace, run as a `coordinator` process against moto (and Slurm's squeue).</summary>
[Collection(LocalStackCollection.Name)]
public sealed class CliWriteVerbsTests(LocalStackFixture fixture, SlurmFixture slurm) : IAsyncLifetime
{
    private CliStack _cli = null!;

    public async Task InitializeAsync() => _cli = await CliStack.CreateAsync(fixture);

    public async Task DisposeAsync() => await _cli.DisposeAsync();

    [Fact]
    public async Task Scale_sets_max_concurrent_keeping_status_and_refuses_out_of_range_and_finished_jobs()
    {
        await _cli.SubmitRunningAsync("scaled");

        var scaled = (await _cli.RunAsync("scale", "scaled", "--max-concurrent", "7")).EnsureSuccess();
        var zero = await _cli.RunAsync("scale", "scaled", "--max-concurrent", "0");
        var missing = await _cli.RunAsync("scale", "nope", "--max-concurrent", "3");

        Assert.Contains("maxConcurrent 50 -> 7", scaled.StandardOutput, StringComparison.Ordinal);
        var job = JobItemCodec.Decode(await _cli.GetItemAsync("scaled"));
        Assert.Equal(7, job.Spec.Slurm.MaxConcurrent);
        Assert.Equal(JobPhase.Running, job.Status.Phase);
        Assert.Equal(1, job.Version);
        Assert.Equal(1, zero.ExitCode);
        Assert.Contains("--max-concurrent must be between 1 and 100000, got 0", zero.StandardError, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
    }

    [Fact]
    public async Task Cancel_writes_phase_cancelled_and_stamps_the_job_so_the_daemons_feed_sees_a_user_change()
    {
        slurm.Require();
        await _cli.SubmitRunningAsync("to-cancel");

        var cancelled = (await _cli.RunAsync("cancel", "to-cancel")).EnsureSuccess();
        var again = (await _cli.RunAsync("cancel", "to-cancel")).EnsureSuccess();

        Assert.Contains("job \"to-cancel\" cancelled (0 Slurm submissions cancelled)", cancelled.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("already Cancelled", again.StandardOutput, StringComparison.Ordinal);
        var item = await _cli.GetItemAsync("to-cancel");
        var job = JobItemCodec.Decode(item);
        Assert.Equal(JobPhase.Cancelled, job.Status.Phase);
        Assert.True(DateTimeOffset.Parse(item["reconcileRequestedAt"].S, System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(-2));
        Assert.Empty(job.DecodeErrors);
    }

    [Fact]
    public async Task Delete_removes_the_job_and_its_tasks_and_keeps_its_data_unless_purged()
    {
        slurm.Require();
        await _cli.SubmitRunningAsync("kept-data");
        await _cli.PutTasksAsync("kept-data", "11");
        await PutObjectAsync("jobs/kept-data/1/batches/000000.jsonl");

        var deleted = (await _cli.RunAsync("delete", "kept-data")).EnsureSuccess();
        var again = await _cli.RunAsync("delete", "kept-data");

        Assert.Contains("data kept", deleted.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(await _cli.GetItemAsync("kept-data"));
        Assert.Empty((await _cli.State.QueryTasksAsync("kept-data", null, 10, default)).Tasks);
        Assert.Contains("jobs/kept-data/1/batches/000000.jsonl", await ListAsync());
        Assert.Equal(1, again.ExitCode);
    }

    [Fact]
    public async Task Delete_with_purge_data_removes_only_objects_under_the_jobs_own_prefix()
    {
        slurm.Require();
        await _cli.SubmitRunningAsync("purged");
        await _cli.PutTasksAsync("purged", "12");
        await PutObjectAsync("jobs/purged/1/batches/000000.jsonl");
        await PutObjectAsync("jobs/purged/1/manifest.json");
        await PutObjectAsync("jobs/purged-two/1/manifest.json");   // another job whose name starts the same
        await PutObjectAsync("out/purged/output.jsonl");            // the job's output: the user's

        (await _cli.RunAsync("delete", "purged", "--purge-data")).EnsureSuccess();

        Assert.Equal(["jobs/purged-two/1/manifest.json", "out/purged/output.jsonl"], (await ListAsync()).Order(StringComparer.Ordinal));
        Assert.Empty(await _cli.GetItemAsync("purged"));
        Assert.Empty((await _cli.State.QueryTasksAsync("purged", null, 10, default)).Tasks);
    }

    [Fact]
    public async Task Submit_replace_of_a_job_without_labels_removes_the_labels_it_had()
    {
        (await _cli.RunAsync("submit", "-f", await _cli.JobFileAsync("relabel", "{team: nlp}"))).EnsureSuccess();

        (await _cli.RunAsync("submit", "--replace", "-f", await _cli.JobFileAsync("relabel", "{}"))).EnsureSuccess();

        var item = await _cli.GetItemAsync("relabel");
        Assert.False(item.ContainsKey("labels"), string.Join(",", item.Keys));
        Assert.Empty(JobItemCodec.Decode(item).Labels);
    }

    private async Task PutObjectAsync(string key) =>
        await _cli.Stack.S3.PutObjectAsync(new PutObjectRequest { BucketName = _cli.Bucket, Key = key, ContentBody = "{}\n" });

    private async Task<List<string>> ListAsync() =>
        [.. ((await _cli.Stack.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _cli.Bucket })).S3Objects ?? []).Select(o => o.Key)];
}
