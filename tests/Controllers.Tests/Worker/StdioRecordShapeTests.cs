using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coordinator.Model.Spec;
using Coordinator.Model.Tasks;
using Coordinator.Worker;
using Parquet.Serialization;
using Parquet.Serialization.Attributes;

namespace Coordinator.Controllers.Tests.Worker;

/// <summary>
/// A stdio handler reads one JSON object per record whatever the input format (docs/handlers.md "Record shapes"), and
/// its JSONL output is written as the job's output format. Real handler processes (python3), the real file:// store.
/// </summary>
public sealed class StdioRecordShapeTests : IDisposable
{
    private readonly WorkerFixture _fx = new();
    private static readonly WorkerIdentity Here = new("node1", "77", "0");

    /// <summary>Echoes every stdin line back as {"got": the parsed record}; fails (exit 1) on a line that is not JSON.</summary>
    private const string Echo = "import sys, json\nfor line in sys.stdin:\n    print(json.dumps({'got': json.loads(line)}, sort_keys=True))";

    public void Dispose() => _fx.Dispose();

    public sealed class PriceRow
    {
        [JsonPropertyName("id")] public int Id { get; set; }
        [JsonPropertyName("name")] public string? Name { get; set; }
        [JsonPropertyName("price"), ParquetDecimal(10, 2)] public decimal Price { get; set; }
        [JsonPropertyName("at")] public DateTime At { get; set; }
        [JsonPropertyName("tags")] public List<string>? Tags { get; set; }
        [JsonPropertyName("score")] public double? Score { get; set; }
    }

    private static async Task<byte[]> ParquetOf(IEnumerable<PriceRow> rows)
    {
        using var memory = new MemoryStream();
        await ParquetSerializer.SerializeAsync(rows, memory);
        return memory.ToArray();
    }

    private async Task<(JobTask Task, string Result)> RunAsync(Job job)
    {
        Assert.Equal(TaskRunOutcome.Recorded, await _fx.Worker().RunAsync(job, 0, Here, default, default));
        var task = _fx.State.Stored(job.Name, 0);
        Assert.True(task.State == TaskState.Succeeded, $"{task.State} {task.Reason}\n{task.StderrTail}");
        return (task, _fx.ReadResult(job, 0));
    }

    private static JsonElement[] Lines(string jsonl) =>
        [.. jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("got"))];

    /// <summary>The element re-written without whitespace (System.Text.Json writes tokens, not the source text).</summary>
    private static string Compact(JsonElement element) => JsonSerializer.Serialize(element);

    [Fact]
    public async Task A_parquet_batch_reaches_a_stdio_handler_as_one_json_object_per_row_with_the_documented_types()
    {
        var at = new DateTime(2026, 12, 7, 10, 30, 0, DateTimeKind.Utc);
        var job = WorkerFixture.NewJob("pq-stdio", "python3", "-c", Echo);
        job.Spec.Input.Format = InputFormat.Parquet;
        job = await _fx.SeedBatchAsync(job, await ParquetOf([
            new PriceRow { Id = 1, Name = "tea", Price = 12.34m, At = at, Tags = ["hot", "leaf"], Score = 0.5 },
            new PriceRow { Id = 2, Name = null, Price = 0.10m, At = at.AddMilliseconds(250), Tags = null, Score = null },
        ]), 2);

        var (task, result) = await RunAsync(job);

        Assert.Equal(2L, task.OutputRecords);
        var rows = Lines(result);
        Assert.Equal(2, rows.Length);
        Assert.Equal("""{"at":"2026-12-07T10:30:00Z","id":1,"name":"tea","price":"12.34","score":0.5,"tags":["hot","leaf"]}""", Compact(rows[0]));
        Assert.Equal("""{"at":"2026-12-07T10:30:00.25Z","id":2,"name":null,"price":"0.10","score":null,"tags":null}""", Compact(rows[1]));
    }

    [Fact]
    public async Task A_csv_batch_reaches_a_stdio_handler_as_one_json_object_per_row_keyed_by_the_header()
    {
        var job = WorkerFixture.NewJob("csv-stdio", "python3", "-c", Echo);
        job.Spec.Input.Format = InputFormat.Csv;
        job = await _fx.SeedBatchAsync(job, Encoding.UTF8.GetBytes("sku,price,note\nA1,3.50,\"a, quoted\"\nB2,10,\n"), 2);

        var (_, result) = await RunAsync(job);

        var rows = Lines(result);
        Assert.Equal(2, rows.Length);
        Assert.Equal("""{"note":"a, quoted","price":"3.50","sku":"A1"}""", Compact(rows[0]));
        Assert.Equal("""{"note":"","price":"10","sku":"B2"}""", Compact(rows[1]));
    }

    [Fact]
    public async Task A_stdio_handlers_json_output_is_written_as_parquet_with_the_inputs_schema_when_output_format_says_so()
    {
        var at = new DateTime(2026, 12, 7, 10, 30, 0, DateTimeKind.Utc);
        const string Double = "import sys, json, decimal\nfor line in sys.stdin:\n    r = json.loads(line)\n    r['price'] = str(decimal.Decimal(r['price']) * 2)\n    r['name'] = (r['name'] or '').upper() or None\n    print(json.dumps(r))";
        var job = WorkerFixture.NewJob("pq-out", "python3", "-c", Double);
        job.Spec.Input.Format = InputFormat.Parquet;
        job.Spec.Output.Format = InputFormat.Parquet;
        job = await _fx.SeedBatchAsync(job, await ParquetOf([
            new PriceRow { Id = 1, Name = "tea", Price = 12.34m, At = at, Tags = ["hot"], Score = 0.5 },
            new PriceRow { Id = 2, Name = null, Price = 0.10m, At = at, Tags = null, Score = null },
        ]), 2);
        job.Spec.Output.Format = InputFormat.Parquet;

        var (task, _) = await RunAsync(job);

        Assert.Equal(2L, task.OutputRecords);
        await using var file = File.OpenRead(new Uri(task.ResultKey!).LocalPath);
        var rows = (await ParquetSerializer.DeserializeAsync<PriceRow>(file)).Data;
        Assert.Equal([24.68m, 0.20m], rows.Select(r => r.Price));
        Assert.Equal(["TEA", null], rows.Select(r => r.Name));
        Assert.Equal([at, at], rows.Select(r => r.At));
        Assert.Equal(["hot"], rows[0].Tags!);
    }

    [Fact]
    public async Task A_stdio_handlers_json_output_is_written_as_csv_with_the_first_records_keys_as_header()
    {
        const string AddTax = "import sys, json\nfor line in sys.stdin:\n    r = json.loads(line)\n    r['gross'] = round(float(r['price']) * 1.2, 2)\n    r['note'] = None\n    print(json.dumps(r))";
        var job = WorkerFixture.NewJob("csv-out", "python3", "-c", AddTax);
        job.Spec.Input.Format = InputFormat.Csv;
        job.Spec.Output.Format = InputFormat.Csv;
        job = await _fx.SeedBatchAsync(job, Encoding.UTF8.GetBytes("sku,price\n\"A,1\",3.50\nB2,10\n"), 2);

        var (task, result) = await RunAsync(job);

        Assert.Equal(2L, task.OutputRecords);
        Assert.Equal("sku,price,gross,note\n\"A,1\",3.50,4.2,\nB2,10,12.0,\n", result);
    }

    [Fact]
    public async Task An_output_record_that_does_not_fit_the_csv_header_fails_the_batch_naming_the_line_and_the_field()
    {
        const string Ragged = "print('{\"a\": 1}')\nprint('{\"a\": 2, \"b\": 3}')";
        var job = WorkerFixture.NewJob("csv-ragged", "python3", "-c", Ragged);
        job.Spec.Input.Format = InputFormat.Csv;
        job.Spec.Output.Format = InputFormat.Csv;
        job.Spec.Retry.MaxAttempts = 1;
        job = await _fx.SeedBatchAsync(job, Encoding.UTF8.GetBytes("a\n1\n"), 1);

        await _fx.Worker().RunAsync(job, 0, Here, default, default);

        var task = _fx.State.Stored(job.Name, 0);
        Assert.StartsWith("BadHandler", task.Reason, StringComparison.Ordinal);
        Assert.Contains("line 2 has field \"b\"", task.Reason, StringComparison.Ordinal);
    }
}
