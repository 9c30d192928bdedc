using System.IO.Compression;
using System.Text;
using Coordinator.Aws.DynamoDb;
using Coordinator.Aws.S3;
using Coordinator.Controllers;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Pipeline;
using Coordinator.Data.Formats;
using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;
using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Model.Loading;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Microsoft.Extensions.Logging.Abstractions;
using Parquet;
using Parquet.Schema;

namespace Coordinator.Integration.Tests.Partition;

/// <summary>Partition and store controllers end to end on moto: S3 input and batches, DynamoDB task items.</summary>
[Collection(LocalStackCollection.Name)]
public sealed class S3PartitionAndStoreTests(LocalStackFixture fixture) : IAsyncLifetime, IDisposable
{
    private ProvisionedStack _stack = null!;
    private ObjectStoreRouter _store = null!;
    private DynamoStateStore _state = null!;
    private readonly CoordinatorMetrics _metrics = new();

    public async Task InitializeAsync()
    {
        _stack = await fixture.ProvisionAsync();
        _store = new ObjectStoreRouter(new FileObjectStore(), new Lazy<IObjectStore>(() => new S3ObjectStore(_stack.S3)));
        _state = new DynamoStateStore(_stack.DynamoDb, _stack.Options, _metrics);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    public void Dispose() => _metrics.Dispose();

    private Uri Key(string key) => S3Address.ToUri(_stack.Options.Bucket, key);

    private async Task PutAsync(string key, byte[] data)
    {
        await using var writer = await _store.OpenWriteAsync(Key(key), CancellationToken.None);
        await writer.Stream.WriteAsync(data);
        await writer.CommitAsync(CancellationToken.None);
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    private static Job NewJob(string name, Uri input, InputFormat format, long maxRecords) => new()
    {
        Name = name,
        Generation = 1,
        SpecHash = "h",
        Spec = new JobSpec { Input = new InputSpec { Uri = input.ToString(), Format = format }, Batching = new BatchingSpec { MaxRecords = maxRecords } },
    };

    private async Task<Job> ReconcileAsync(Job job)
    {
        var context = new JobContext(job, DateTimeOffset.UtcNow, (_, _) => Task.FromResult(job.Version + 1));
        var partition = new PartitionController(_store, _stack.Options, NullLogger<PartitionController>.Instance, _metrics);
        var store = new StoreController(_store, _state, _stack.Options, NullLogger<StoreController>.Instance);
        if ((await partition.ReconcileAsync(context, CancellationToken.None)).ContinuePipeline)
            await store.ReconcileAsync(context, CancellationToken.None);
        return job;
    }

    [Fact]
    public async Task A_gzip_jsonl_prefix_on_s3_becomes_batches_a_manifest_and_pending_task_items()
    {
        var lines = Enumerable.Range(0, 2500).Select(i => $"{{\"i\":{i}}}\n").ToList();
        await PutAsync("in/part-2.jsonl.gz", Gzip(string.Concat(lines.Skip(1000))));
        await PutAsync("in/part-1.jsonl", Encoding.UTF8.GetBytes(string.Concat(lines.Take(1000))));

        var job = await ReconcileAsync(NewJob("gz-prefix", Key("in/"), InputFormat.Jsonl, 300));

        Assert.Equal("True", StatusEditor.GetCondition(job.Status, ConditionTypes.Stored)!.Status);
        Assert.Equal(9, job.Status.Batches.Total);
        Assert.Equal(2500, job.Status.Records.Input);
        var manifest = await Partitioner.ReadManifestAsync(_store, _stack.Options.LayoutFor(job), CancellationToken.None);
        var text = new StringBuilder();
        foreach (var batch in manifest!.Batches)
        {
            await using var s = await _store.OpenReadAsync(new Uri(batch.Key), CancellationToken.None);
            text.Append(await new StreamReader(s).ReadToEndAsync());
            var task = await _state.GetTaskAsync(job.Name, batch.Index, CancellationToken.None);
            Assert.Equal(batch.Sha256, task!.InputSha256);
            Assert.Equal(batch.RecordCount, task.InputRecords);
        }
        Assert.Equal(string.Concat(lines), text.ToString());
    }

    [Fact]
    public async Task A_multi_member_gzip_jsonl_on_s3_is_read_whole_and_a_truncated_second_member_fails_the_job_naming_it()
    {
        var lines = Enumerable.Range(0, 3000).Select(i => $"{{\"i\":{i}}}\n").ToList();
        byte[][] members = [Gzip(string.Concat(lines.Take(1000))), Gzip(string.Concat(lines.Skip(1000).Take(1500))), Gzip(string.Concat(lines.Skip(2500)))];
        await PutAsync("multi/data.jsonl.gz", members.SelectMany(m => m).ToArray()); // as `cat a.gz b.gz c.gz` or bgzip write it

        var job = await ReconcileAsync(NewJob("multi-member", Key("multi/data.jsonl.gz"), InputFormat.Jsonl, 700));

        Assert.Equal("True", StatusEditor.GetCondition(job.Status, ConditionTypes.Stored)!.Status);
        Assert.Equal(3000, job.Status.Records.Input);
        var manifest = await Partitioner.ReadManifestAsync(_store, _stack.Options.LayoutFor(job), CancellationToken.None);
        var text = new StringBuilder();
        foreach (var batch in manifest!.Batches)
        {
            await using var s = await _store.OpenReadAsync(new Uri(batch.Key), CancellationToken.None);
            text.Append(await new StreamReader(s).ReadToEndAsync());
        }
        Assert.Equal(string.Concat(lines), text.ToString());

        await PutAsync("multi-cut/data.jsonl.gz", members[0].Concat(members[1][..(members[1].Length / 2)]).ToArray());
        var cut = await ReconcileAsync(NewJob("multi-member-cut", Key("multi-cut/data.jsonl.gz"), InputFormat.Jsonl, 700));

        var condition = StatusEditor.GetCondition(cut.Status, ConditionTypes.Partitioned)!;
        Assert.Equal(InputErrorReasons.CorruptCompression, condition.Reason);
        Assert.Contains($"multi-cut/data.jsonl.gz gzip member 2 (starting at compressed byte {members[0].Length}): truncated", condition.Message);
        Assert.Equal(JobPhase.Failed, cut.Status.Phase);
        Assert.Null(await _state.GetTaskAsync(cut.Name, 0, CancellationToken.None));
        Assert.Null(await _store.HeadAsync(_stack.Options.LayoutFor(cut).Manifest, CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("validate: true, ")]
    [InlineData("validate: false, ")]
    public async Task Spec_input_validate_from_yaml_decides_whether_a_malformed_line_fails_the_job_or_passes_raw(string field)
    {
        var name = "validate-" + (field.Length == 0 ? "default" : field.Contains("true", StringComparison.Ordinal) ? "true" : "false");
        await PutAsync(name + "/data.jsonl", Encoding.UTF8.GetBytes("{\"i\":0}\n{\"i\":1}\n{\"i\": tw0}\n{\"i\":3}\n"));
        var yaml = $$"""
            apiVersion: coordinator/v1
            kind: Job
            metadata: {name: {{name}}}
            spec:
              input: {{{field}}uri: "{{Key(name + "/data.jsonl")}}"}
              batching: {maxRecords: 2}
              handler: {command: [cat]}
              output: {uri: "{{Key(name + "/out/")}}"}
            """;
        var loaded = await new JobLoader(InMemoryTemplateSource.Empty).LoadTextAsync(yaml, [], CancellationToken.None);
        Assert.Empty(loaded.Errors);
        var job = loaded.Job;
        job.Generation = 1;
        job.SpecHash = SpecHash.Compute(job.Spec);

        job = await ReconcileAsync(job);

        if (field.Contains("false", StringComparison.Ordinal))
        {
            Assert.Equal("True", StatusEditor.GetCondition(job.Status, ConditionTypes.Stored)!.Status);
            Assert.Equal(4, job.Status.Records.Input);
            var task = await _state.GetTaskAsync(job.Name, 1, CancellationToken.None);
            await using var s = await _store.OpenReadAsync(new Uri(task!.InputKey), CancellationToken.None);
            Assert.Equal("{\"i\": tw0}\n{\"i\":3}\n", await new StreamReader(s).ReadToEndAsync());
            return;
        }
        var condition = StatusEditor.GetCondition(job.Status, ConditionTypes.Partitioned)!;
        Assert.Equal("False", condition.Status);
        Assert.Equal(InputErrorReasons.MalformedRecord, condition.Reason);
        Assert.Contains($"{name}/data.jsonl line 3: malformed JSON", condition.Message);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.Null(await _state.GetTaskAsync(job.Name, 0, CancellationToken.None));
        Assert.Null(await _store.HeadAsync(_stack.Options.LayoutFor(job).Manifest, CancellationToken.None));
    }

    [Fact]
    public async Task Parquet_on_s3_is_read_through_ranged_gets_and_split_into_parquet_batches()
    {
        var schema = new ParquetSchema(new DataField<int>("id"), new DataField<string>("name"));
        using var buffer = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, buffer, null, false, CancellationToken.None))
        {
            for (var g = 0; g < 3; g++)
            {
                using var rg = writer.CreateRowGroup();
                var ids = Enumerable.Range(g * 100, 100).ToArray();
                await rg.WriteAsync<int>(schema.DataFields[0], ids, null, null, CancellationToken.None);
                await rg.WriteAsync(schema.DataFields[1], ids.Select(i => $"n{i}").ToArray(), null);
            }
        }
        await PutAsync("pq/data.parquet", buffer.ToArray());

        var job = await ReconcileAsync(NewJob("pq", Key("pq/data.parquet"), InputFormat.Parquet, 120));

        Assert.Equal(3, job.Status.Batches.Total); // 120 + 120 + 60 rows: row groups split where they must
        Assert.Equal(300, job.Status.Records.Input);
        var manifest = await Partitioner.ReadManifestAsync(_store, _stack.Options.LayoutFor(job), CancellationToken.None);
        var batch1 = manifest!.Batches[1];
        await using var s = await _store.OpenReadAsync(new Uri(batch1.Key), CancellationToken.None);
        using var copy = new MemoryStream();
        await s.CopyToAsync(copy);
        copy.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(copy, null, false, CancellationToken.None);
        using var rg0 = reader.OpenRowGroupReader(0);
        var first = new int[rg0.RowCount];
        await rg0.ReadAsync<int>(reader.Schema.DataFields[0], first, null, CancellationToken.None);
        Assert.Equal(120, first[0]);
    }

    [Fact]
    public async Task Truncated_gzip_on_s3_fails_the_job_naming_the_object_and_stores_nothing()
    {
        var whole = Gzip(string.Concat(Enumerable.Range(0, 20000).Select(i => $"{{\"i\":{i}}}\n")));
        await PutAsync("bad/data.jsonl.gz", whole[..(whole.Length * 2 / 3)]);

        var job = await ReconcileAsync(NewJob("truncated", Key("bad/data.jsonl.gz"), InputFormat.Jsonl, 1000));

        var condition = StatusEditor.GetCondition(job.Status, ConditionTypes.Partitioned)!;
        Assert.Equal("False", condition.Status);
        Assert.Equal(InputErrorReasons.CorruptCompression, condition.Reason);
        Assert.Contains("bad/data.jsonl.gz", condition.Message);
        Assert.Equal(JobPhase.Failed, job.Status.Phase);
        Assert.Null(StatusEditor.GetCondition(job.Status, ConditionTypes.Stored));
        Assert.Null(await _state.GetTaskAsync(job.Name, 0, CancellationToken.None));
        Assert.Null(await _store.HeadAsync(_stack.Options.LayoutFor(job).Manifest, CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_bucket_is_reported_as_input_not_found()
    {
        var job = await ReconcileAsync(NewJob("nobucket", S3Address.ToUri("absent-" + Guid.NewGuid().ToString("N")[..8], "in/"), InputFormat.Jsonl, 10));
        var condition = StatusEditor.GetCondition(job.Status, ConditionTypes.Partitioned)!;
        Assert.Equal(InputErrorReasons.InputNotFound, condition.Reason);
        Assert.Contains("absent-", condition.Message);
    }

    [Fact]
    public async Task A_second_generation_with_fewer_batches_removes_the_first_generations_extra_items_and_all_its_objects()
    {
        // 1,100 batches in generation 1: more than one DeleteObjects call (1,000 keys each) and several task pages.
        await PutAsync("in/edit.jsonl", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 1100).Select(i => $"{{\"i\":{i}}}\n"))));
        var job = await ReconcileAsync(NewJob("edit", Key("in/edit.jsonl"), InputFormat.Jsonl, maxRecords: 1));
        Assert.Equal(1100, job.Status.Batches.Total);
        var layout1 = _stack.Options.LayoutFor(job);
        Assert.Equal(1101, await CountAsync(layout1.Prefix)); // 1,100 batches and the manifest

        var edited = NewJob("edit", Key("in/edit.jsonl"), InputFormat.Jsonl, maxRecords: 500);
        edited.Generation = 2;
        edited.SpecHash = "h2";
        await ReconcileAsync(edited);

        Assert.Equal(3, edited.Status.Batches.Total);
        var items = await Controllers.Tasks.TaskReader.ReadAllAsync(_state, "edit", null, CancellationToken.None);
        Assert.Equal([(0, 2L), (1, 2L), (2, 2L)], items.Select(t => (t.Index, t.Generation)));
        Assert.Equal(0, await CountAsync(layout1.Prefix));
        Assert.Equal(4, await CountAsync(_stack.Options.LayoutFor(edited).Prefix));
        Assert.Equal(1100, items.Sum(t => t.InputRecords));
    }

    private async Task<int> CountAsync(Uri prefix)
    {
        var count = 0;
        await foreach (var _ in _store.ListAsync(prefix, CancellationToken.None))
            count++;
        return count;
    }
}
