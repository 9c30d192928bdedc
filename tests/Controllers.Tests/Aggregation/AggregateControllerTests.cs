using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Tests.Dispatch;
using Coordinator.Data.Layout;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Tasks;
using Microsoft.Extensions.Logging.Abstractions;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Coordinator.Controllers.Tests.Aggregation;

public sealed class AggregateControllerTests : IDisposable
{
    private readonly ControllerFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private AggregateController Aggregator() =>
        new(_fx.State, _fx.Worker.Store, _fx.Tallies, NullLogger<AggregateController>.Instance, CoordinatorMetrics.NoOp(), _fx.Options);

    private string OutDir => Path.Combine(_fx.Worker.Root, "out") + "/";

    /// <summary>Writes a result object for a batch and marks the task Succeeded with its checksum.</summary>
    private async Task ResultAsync(string job, int index, byte[] content, long records, InputFormat format, bool corrupt = false)
    {
        var uri = new JobLayout(_fx.Options.DataRootUri, job, 1).Result(index, 1, format);
        string? etag;
        await using (var writer = await _fx.Worker.Store.OpenWriteAsync(uri, default))
        {
            await writer.Stream.WriteAsync(content);
            await writer.CommitAsync(default);
            etag = writer.ETag;
        }
        var sha = corrupt ? new string('f', 64) : Convert.ToHexStringLower(SHA256.HashData(content));
        await _fx.SetTaskAsync(job, index, t =>
        {
            t.State = TaskState.Succeeded; t.ResultKey = uri.ToString(); t.ResultSha256 = sha; t.ResultETag = etag; t.OutputRecords = records; t.Attempt = 1;
        });
    }

    private async Task<Job> AggregatingJobAsync(string name, int tasks, Action<JobSpec> configure)
    {
        await _fx.StoredJobAsync(name, tasks, s => { s.Output.Uri = new Uri(OutDir).ToString(); configure(s); });
        var job = (await _fx.State.GetJobAsync(name, default))!;
        job.Status.Phase = JobPhase.Aggregating;
        await _fx.State.UpdateJobStatusAsync(job, default);
        return job;
    }

    [Fact]
    public async Task Jsonl_ConcatenatesInBatchOrderVerifiesAndWritesTheFinalManifest()
    {
        await AggregatingJobAsync("agg", 3, s => s.FailurePolicy.ToleratedFailureCount = 1);
        await ResultAsync("agg", 2, "{\"b\":2}\n"u8.ToArray(), 1, InputFormat.Jsonl);
        await ResultAsync("agg", 0, "{\"b\":0}\n{\"b\":0.5}"u8.ToArray(), 2, InputFormat.Jsonl);
        await _fx.SetTaskAsync("agg", 1, t => { t.State = TaskState.Failed; t.Reason = "HandlerExit: exit code 1"; });

        var (job, _) = await _fx.PassAsync("agg", Aggregator);

        var output = await File.ReadAllTextAsync(Path.Combine(OutDir, "output.jsonl"));
        Assert.Equal("{\"b\":0}\n{\"b\":0.5}\n{\"b\":2}\n", output);
        Assert.Equal(JobPhase.Succeeded, job.Status.Phase);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(output))), job.Status.Output!.Sha256);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(OutDir, "manifest.json")));
        var batches = manifest.RootElement.GetProperty("batches").EnumerateArray().ToList();
        Assert.Equal(["SUCCEEDED", "FAILED", "SUCCEEDED"], batches.Select(b => b.GetProperty("state").GetString()));
        Assert.Equal(9, manifest.RootElement.GetProperty("inputRecords").GetInt64());
        Assert.Equal(3, manifest.RootElement.GetProperty("outputRecords").GetInt64());
        Assert.Equal(3, manifest.RootElement.GetProperty("failedRecords").GetInt64());
        Assert.False(manifest.RootElement.GetProperty("recordsConserved").GetBoolean());
    }

    [Fact]
    public async Task Rejected_records_of_every_batch_go_to_failed_records_jsonl_beside_the_output_and_into_the_manifest_and_status()
    {
        await AggregatingJobAsync("rej", 3, _ => { });
        await ResultAsync("rej", 0, "{\"b\":0}\n"u8.ToArray(), 1, InputFormat.Jsonl);
        await ResultAsync("rej", 1, "{\"b\":1}\n"u8.ToArray(), 1, InputFormat.Jsonl);
        await ResultAsync("rej", 2, "{\"b\":2}\n"u8.ToArray(), 1, InputFormat.Jsonl);
        await RejectsAsync("rej", 2, "{\"record\":{\"b\":2.5},\"reason\":\"negative price\"}\n"u8.ToArray(), 1);
        await RejectsAsync("rej", 0, "{\"record\":{\"b\":0.5},\"reason\":\"no sku\"}\n{\"record\":\"raw\",\"reason\":\"not an object\"}"u8.ToArray(), 2);

        var (job, _) = await _fx.PassAsync("rej", Aggregator);

        Assert.Equal(JobPhase.Succeeded, job.Status.Phase);
        var rejects = await File.ReadAllTextAsync(Path.Combine(OutDir, "failed-records.jsonl"));
        Assert.Equal("{\"record\":{\"b\":0.5},\"reason\":\"no sku\"}\n{\"record\":\"raw\",\"reason\":\"not an object\"}\n{\"record\":{\"b\":2.5},\"reason\":\"negative price\"}\n", rejects);
        Assert.Equal(3, job.Status.Records.Rejected);
        Assert.Contains("3 rejected (in ", job.Status.Message, StringComparison.Ordinal);
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(OutDir, "manifest.json")));
        var root = manifest.RootElement;
        Assert.Equal(3, root.GetProperty("rejectedRecords").GetInt64());
        Assert.Equal(new Uri(Path.Combine(OutDir, "failed-records.jsonl")).ToString(), root.GetProperty("failedRecordsFile").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rejects))), root.GetProperty("failedRecordsSha256").GetString());
        Assert.Equal([2L, 0L, 1L], root.GetProperty("batches").EnumerateArray().Select(b => b.GetProperty("rejectedRecords").ValueKind == JsonValueKind.Null ? 0L : b.GetProperty("rejectedRecords").GetInt64()));
    }

    [Fact]
    public async Task A_rejects_key_that_is_not_the_layouts_is_refused_and_nothing_is_aggregated()
    {
        await AggregatingJobAsync("rejkey", 1, _ => { });
        await ResultAsync("rejkey", 0, "{}\n"u8.ToArray(), 1, InputFormat.Jsonl);
        await _fx.SetTaskAsync("rejkey", 0, t => { t.RejectsKey = "file:///etc/passwd"; t.RejectedRecords = 1; });

        var (job, _) = await _fx.PassAsync("rejkey", Aggregator);

        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.Contains("rejects key does not match the job's layout", job.Status.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(OutDir, "failed-records.jsonl")));
    }

    /// <summary>Writes attempt 1's rejects object for a batch and records it on the (already Succeeded) task.</summary>
    private async Task RejectsAsync(string job, int index, byte[] content, long records)
    {
        var uri = new JobLayout(_fx.Options.DataRootUri, job, 1).Rejects(index, 1);
        await using (var writer = await _fx.Worker.Store.OpenWriteAsync(uri, default))
        {
            await writer.Stream.WriteAsync(content);
            await writer.CommitAsync(default);
        }
        await _fx.SetTaskAsync(job, index, t =>
        {
            t.RejectsKey = uri.ToString(); t.RejectsSha256 = Convert.ToHexStringLower(SHA256.HashData(content)); t.RejectedRecords = records;
        });
    }

    [Fact]
    public async Task Csv_KeepsOnlyTheFirstHeader()
    {
        await AggregatingJobAsync("csv", 2, s => s.Output.Format = InputFormat.Csv);
        await ResultAsync("csv", 0, "a,b\n1,\"x\ny\"\n"u8.ToArray(), 1, InputFormat.Csv);
        await ResultAsync("csv", 1, "a,b\n2,z\n"u8.ToArray(), 1, InputFormat.Csv);
        await _fx.PassAsync("csv", Aggregator);
        Assert.Equal("a,b\n1,\"x\ny\"\n2,z\n", await File.ReadAllTextAsync(Path.Combine(OutDir, "output.csv")));
    }

    [Fact]
    public async Task ChecksumMismatch_FailsTheJobNamingTheBatchAndCommitsNoOutput()
    {
        await AggregatingJobAsync("bad", 2, _ => { });
        await ResultAsync("bad", 0, "{}\n"u8.ToArray(), 1, InputFormat.Jsonl);
        await ResultAsync("bad", 1, "{}\n"u8.ToArray(), 1, InputFormat.Jsonl, corrupt: true);
        var (job, _) = await _fx.PassAsync("bad", Aggregator);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.Contains("batch 1", job.Status.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(OutDir, "output.jsonl")));
    }

    [Fact]
    public async Task A_result_key_that_is_not_the_layouts_fails_the_job_naming_the_task_and_commits_no_output()
    {
        await AggregatingJobAsync("theirs", 1, _ => { });
        await ResultAsync("theirs", 0, "{\"secret\":1}\n"u8.ToArray(), 1, InputFormat.Jsonl);
        await AggregatingJobAsync("mine", 2, _ => { });
        await ResultAsync("mine", 0, "{}\n"u8.ToArray(), 1, InputFormat.Jsonl);
        await ResultAsync("mine", 1, "{}\n"u8.ToArray(), 1, InputFormat.Jsonl);
        var stolen = _fx.State.Stored("theirs", 0);
        await _fx.SetTaskAsync("mine", 1, t => { t.ResultKey = stolen.ResultKey; t.ResultSha256 = stolen.ResultSha256; t.ResultETag = stolen.ResultETag; });

        var (job, _) = await _fx.PassAsync("mine", Aggregator);

        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.StartsWith("task 1 of job mine: result key does not match the job's layout (expected ", job.Status.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(OutDir, "output.jsonl")));
    }

    [Fact]
    public async Task Composed_LargeResultsAreCopiedByTheStoreAndTheOutputAndManifestAreThoseOfStreaming()
    {
        await AggregatingJobAsync("big", 4, _ => { });
        string Lines(int batch, int count) => string.Concat(Enumerable.Range(0, count).Select(i => $"{{\"batch\":{batch},\"i\":{i}}}\n"));
        string[] texts = [Lines(0, 30), Lines(1, 1), Lines(2, 40).TrimEnd('\n'), Lines(3, 2)];
        for (var i = 0; i < texts.Length; i++)
        {
            await ResultAsync("big", i, Encoding.UTF8.GetBytes(texts[i]), 1, InputFormat.Jsonl);
        }
        var store = new ComposingFileStore(minPartSize: 128, partSize: 256);

        var (job, _) = await _fx.PassAsync("big", () => new AggregateController(_fx.State, store, _fx.Tallies, NullLogger<AggregateController>.Instance, CoordinatorMetrics.NoOp(), _fx.Options));

        var expected = texts[0] + texts[1] + texts[2] + "\n" + texts[3];
        Assert.Equal(expected, await File.ReadAllTextAsync(Path.Combine(OutDir, "output.jsonl")));
        Assert.Equal(JobPhase.Succeeded, job.Status.Phase);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(expected))), job.Status.Output!.Sha256);
        Assert.Contains(Assert.Single(store.Compositions).Parts, p => p.Kind == "copy");
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(OutDir, "manifest.json")));
        Assert.Equal(4, manifest.RootElement.GetProperty("batches").GetArrayLength());
        Assert.Equal(job.Status.Output.Sha256, manifest.RootElement.GetProperty("outputSha256").GetString());
    }

    /// <summary>
    /// A paused first attempt resumes after its batch was rerun and overwrites the result with bytes of the same size
    /// after the verifying read has opened the object but before the store copies it server-side: those bytes never
    /// enter the output; the job fails naming the batch and attempt.
    /// </summary>
    [Fact]
    public async Task Composed_AResultOverwrittenAfterItsOutcomeWasRecordedNeverEntersTheOutput()
    {
        await AggregatingJobAsync("swap", 2, _ => { });
        string Lines(int batch, int count) => string.Concat(Enumerable.Range(0, count).Select(i => $"{{\"batch\":{batch},\"i\":{i}}}\n"));
        await ResultAsync("swap", 0, Encoding.UTF8.GetBytes(Lines(0, 30)), 30, InputFormat.Jsonl);
        await ResultAsync("swap", 1, Encoding.UTF8.GetBytes(Lines(1, 2)), 2, InputFormat.Jsonl);
        var recorded = new Uri(_fx.State.Stored("swap", 0).ResultKey!);
        var store = new ComposingFileStore(minPartSize: 128, partSize: 256);
        var overwritten = false;
        store.AfterOpen = async uri =>
        {
            if (uri == recorded && !overwritten)
            {
                overwritten = true;
                await using var writer = await _fx.Worker.Store.OpenWriteAsync(recorded, default);
                await writer.Stream.WriteAsync(Encoding.UTF8.GetBytes(Lines(0, 30).Replace("\"batch\":0", "\"batch\":7", StringComparison.Ordinal)));
                await writer.CommitAsync(default);
            }
        };

        var (job, _) = await _fx.PassAsync("swap", () => new AggregateController(_fx.State, store, _fx.Tallies, NullLogger<AggregateController>.Instance, CoordinatorMetrics.NoOp(), _fx.Options));

        Assert.True(overwritten);
        var output = Path.Combine(OutDir, "output.jsonl");
        Assert.False(File.Exists(output) && File.ReadAllText(output).Contains("\"batch\":7", StringComparison.Ordinal),
            "bytes written after the outcome entered the output: " + (File.Exists(output) ? File.ReadAllText(output)[..60] : ""));
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.Contains("batch 0 attempt 1", job.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parquet_MergesRowGroupsOfEveryResultInOrder()
    {
        await AggregatingJobAsync("pq", 2, s => { s.Input.Format = InputFormat.Parquet; s.Output.Format = InputFormat.Parquet; });
        await ResultAsync("pq", 0, await ParquetBytesAsync([1, 2, 3], ["a", "b", "c"]), 3, InputFormat.Parquet);
        await ResultAsync("pq", 1, await ParquetBytesAsync([4, 5], ["d", null]), 2, InputFormat.Parquet);
        var (job, _) = await _fx.PassAsync("pq", Aggregator);
        Assert.Equal(JobPhase.Succeeded, job.Status.Phase);

        await using (var file = File.OpenRead(Path.Combine(OutDir, "output.parquet")))
        {
            await using var reader = await ParquetReader.CreateAsync(file);
            Assert.Equal(2, reader.RowGroupCount);
        }
        var data = await ParquetSerializer.DeserializeUntypedAsync(File.OpenRead(Path.Combine(OutDir, "output.parquet")), null, null, CancellationToken.None);
        Assert.Equal([1, 2, 3, 4, 5], data.Data.Select(r => (int)r["id"]!));
        Assert.Equal(["a", "b", "c", "d", null], data.Data.Select(r => r.TryGetValue("name", out var n) ? (string?)n : null));
    }

    private static async Task<byte[]> ParquetBytesAsync(int[] ids, string?[] names)
    {
        var schema = new ParquetSchema(new DataField<int>("id"), new DataField<string>("name"));
        using var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream, null, false, CancellationToken.None))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<int>(schema.DataFields[0], ids, null, null, CancellationToken.None);
            await group.WriteAsync(schema.DataFields[1], names, null);
        }
        return stream.ToArray();
    }
}
