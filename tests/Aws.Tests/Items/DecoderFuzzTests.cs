using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;
using Coordinator.Aws.Streams;
using Coordinator.Model.Errors;
using Coordinator.Model.Tasks;
using Coordinator.Testing.Generators;
using CsCheck;
using Xunit.Abstractions;

namespace Coordinator.Aws.Tests.Items;

/// <summary>
/// Issue 16 hole 6: the item and stream decoders under property-based fuzzing (CsCheck). Random AttributeValue trees
/// (nested M/L, every type, wrong types, huge/negative/garbage numbers, empty strings, missing keys) and valid items
/// with one node replaced or removed. Nothing may escape but the project's own errors, each with a path: the job item
/// decoder never throws and names a path in every error; the task item decoder throws only ItemFormatException naming
/// the attribute; the stream records parser never throws, keeping what it can and naming why it skipped a record.
/// A few thousand cases each in CI, 100,000 each under <c>./test --soak</c> (CHAOS_SOAK=1).
/// </summary>
public sealed class DecoderFuzzTests(ITestOutputHelper output)
{
    private static readonly long Cases = Environment.GetEnvironmentVariable("CHAOS_SOAK") is "1" or "true" ? 100_000 : 3_000;

    private static readonly string[] JobNames =
    [
        "name", "kind", "spec", "specYaml", "status", "labels", "version", "generation", "specHash", "leaderTerm", "input", "uri",
        "format", "batching", "maxRecords", "maxBytes", "handler", "command", "env", "timeout", "mode", "output", "aggregate",
        "retry", "maxAttempts", "backoff", "base", "max", "rules", "slurm", "partition", "maxConcurrent", "suspend", "template",
        "phase", "conditions", "message", "events", "dispatch", "counts", "ttlAfterFinished", "activeDeadline", "failurePolicy",
    ];

    private static readonly string[] TaskNames =
    [
        "job", "index", "generation", "state", "attempt", "slurmJobId", "slurmArrayTaskId", "dispatchToken", "host", "heartbeat",
        "startedAt", "finishedAt", "notBefore", "inputKey", "inputSha256", "resultKey", "resultSha256", "resultETag",
        "inputRecords", "outputRecords", "exitCode", "stderrTail", "reason", "verdict", "version",
    ];

    private static readonly Gen<string> Numbers = Gen.OneOf(
        Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Int[-3, 3].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOfConst("", "-0", "1e400", "-1e400", "1.5", "NaN", "Infinity", "99999999999999999999999", "-9223372036854775809",
            "0x10", " 1", "1 ", "abc", "1e-400", "2147483648", "-2147483649"));

    private static readonly Gen<string> Strings = Gen.OneOf(
        Gen.String,
        Gen.OneOfConst("", " ", "Running", "Succeeded", "Failed", "Pending", "jsonl", "2026-12-07T08:00:00Z", "not-a-time",
            "s3://b/jobs/x/", "file:///etc/passwd", "-h", "\0", "a:\n  b: [", "{", "null", "9999-12-31T23:59:59.9999999Z"));

    private static Gen<AttributeValue> Value(string[] names, int depth)
    {
        var scalar = Gen.OneOf(
            Strings.Select(s => new AttributeValue { S = s }),
            Numbers.Select(n => new AttributeValue { N = n }),
            Gen.Bool.Select(b => new AttributeValue { BOOL = b }),
            Gen.Bool.Select(b => new AttributeValue { NULL = b }),
            Gen.Const(() => new AttributeValue()),
            Strings.List[0, 3].Select(s => new AttributeValue { SS = s }),
            Numbers.List[0, 3].Select(n => new AttributeValue { NS = n }),
            Gen.Byte.Array[0, 8].Select(b => new AttributeValue { B = new MemoryStream(b) }));
        if (depth <= 0)
        {
            return scalar;
        }
        return Gen.Frequency(
            (5, scalar),
            (2, Map(names, depth - 1).Select(m => new AttributeValue { M = m })),
            (1, Value(names, depth - 1).List[0, 4].Select(l => new AttributeValue { L = l })));
    }

    private static Gen<Dictionary<string, AttributeValue>> Map(string[] names, int depth) =>
        Gen.Select(Gen.OneOf(Gen.OneOfConst(names), Gen.String[0, 6]), Value(names, depth)).List[0, 8]
            .Select(entries => entries.GroupBy(e => e.Item1).ToDictionary(g => g.Key, g => g.First().Item2, StringComparer.Ordinal));

    /// <summary>A valid item with one node somewhere replaced by a random value or removed (on a deep copy).</summary>
    private static Gen<Dictionary<string, AttributeValue>> Mutated(Gen<Dictionary<string, AttributeValue>> valid, string[] names) =>
        Gen.Select(valid, Gen.Int[0, 1000], Value(names, 2), Gen.Int[0, 2]).Select((item, pick, replacement, how) =>
        {
            var copy = Copy(item);
            var nodes = new List<(Dictionary<string, AttributeValue>? Map, List<AttributeValue>? List, string Key, int Index)>();
            Collect(copy, nodes);
            if (nodes.Count == 0)
            {
                return copy;
            }
            var (map, list, key, index) = nodes[pick % nodes.Count];
            if (map is not null)
            {
                if (how == 0)
                {
                    map.Remove(key);
                }
                else
                {
                    map[key] = replacement;
                }
            }
            else
            {
                list![index] = replacement;
            }
            return copy;
        });

    private static void Collect(Dictionary<string, AttributeValue> map, List<(Dictionary<string, AttributeValue>?, List<AttributeValue>?, string, int)> nodes)
    {
        foreach (var (key, value) in map)
        {
            nodes.Add((map, null, key, 0));
            Collect(value, nodes);
        }
    }

    private static void Collect(AttributeValue value, List<(Dictionary<string, AttributeValue>?, List<AttributeValue>?, string, int)> nodes)
    {
        if (value.M is { Count: > 0 } m)
        {
            Collect(m, nodes);
        }
        if (value.L is { Count: > 0 } l)
        {
            for (var i = 0; i < l.Count; i++)
            {
                nodes.Add((null, l, "", i));
                Collect(l[i], nodes);
            }
        }
    }

    private static Dictionary<string, AttributeValue> Copy(Dictionary<string, AttributeValue> map) =>
        map.ToDictionary(kv => kv.Key, kv => Copy(kv.Value), StringComparer.Ordinal);

    private static AttributeValue Copy(AttributeValue v) => new()
    {
        S = v.S, N = v.N, BOOL = v.IsBOOLSet ? v.BOOL : null, NULL = v.NULL, SS = v.SS is { Count: > 0 } ? [.. v.SS] : null,
        NS = v.NS is { Count: > 0 } ? [.. v.NS] : null, B = v.B, M = v.M is { Count: > 0 } || v.IsMSet ? Copy(v.M ?? []) : null,
        L = v.L is { Count: > 0 } || v.IsLSet ? [.. (v.L ?? []).Select(Copy)] : null,
    };

    private static readonly Gen<Dictionary<string, AttributeValue>> ValidJobItems = SpecGenerators.Job.Select(JobItemCodec.EncodeNew);

    private static readonly Gen<Dictionary<string, AttributeValue>> ValidTaskItems =
        Gen.Select(Gen.Int[0, 100_000], Gen.Long[1, 50], Gen.Enum<TaskState>(), Gen.Int[0, 9]).Select((index, generation, state, attempt) =>
            TaskItemCodec.Encode(new JobTask
            {
                Job = "j", Index = index, Generation = generation, State = state, Attempt = attempt, InputKey = $"s3://b/jobs/j/{generation}/batches/{index:D6}.jsonl",
                InputSha256 = new string('a', 64), Heartbeat = DateTimeOffset.UnixEpoch, ResultKey = "s3://b/r", ExitCode = 1, Reason = "x", Version = 3,
            }));

    /// <summary>An error as the decoders format it: "path: message" (or "(document): message"), the path non-empty.</summary>
    private static void AssertHasPath(string error) =>
        Assert.True(error.IndexOf(": ", StringComparison.Ordinal) > 0, $"an error without a path: \"{error}\"");

    [Fact]
    public void The_job_item_decoder_never_throws_and_every_error_names_a_path()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var cases = 0L;
        Gen.OneOf(Map(JobNames, 4), Mutated(ValidJobItems, JobNames)).Sample(item =>
        {
            Interlocked.Increment(ref cases);
            var job = JobItemCodec.Decode(item);
            foreach (var error in job.DecodeErrors)
            {
                AssertHasPath(error);
                lock (paths)
                {
                    paths.Add(PathOf(error));
                }
            }
        }, iter: Cases);
        Figures(nameof(JobItemCodec), cases, paths);
    }

    [Fact]
    public void The_task_item_decoder_throws_only_item_format_errors_naming_the_attribute()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var cases = 0L;
        Gen.OneOf(Map(TaskNames, 3), Mutated(ValidTaskItems, TaskNames)).Sample(item =>
        {
            Interlocked.Increment(ref cases);
            try
            {
                TaskItemCodec.Decode(item);
            }
            catch (ItemFormatException e)
            {
                AssertHasPath(e.Message);
                lock (paths)
                {
                    paths.Add(PathOf(e.Message));
                }
            }
        }, iter: Cases);
        Figures(nameof(TaskItemCodec), cases, paths);
    }

    private static readonly string[] StreamNames =
    [
        "Records", "eventID", "eventName", "dynamodb", "SequenceNumber", "ApproximateCreationDateTime", "SizeBytes", "Keys", "NewImage",
        "OldImage", "NextShardIterator", "S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "M", "L", "name", "job", "index",
    ];

    private static Gen<JsonNode?> Json(int depth)
    {
        var scalar = Gen.OneOf(
            Strings.Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Double.Select(d => double.IsFinite(d) ? (JsonNode?)JsonValue.Create(d) : JsonValue.Create(0)),
            Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
            Gen.OneOfConst(1e300, -1e300, 1.7e308, -1.7e308, 9.3e15, -62135596801.0, 253402300800.0, 0.5).Select(d => (JsonNode?)JsonValue.Create(d)),
            Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Const((JsonNode?)null));
        if (depth <= 0)
        {
            return scalar;
        }
        return Gen.Frequency(
            (4, scalar),
            (3, Gen.Select(Gen.OneOf(Gen.OneOfConst(StreamNames), Gen.String[0, 4]), Json(depth - 1)).List[0, 6].Select(entries =>
            {
                var o = new JsonObject();
                foreach (var (k, v) in entries)
                {
                    o[k] = v;
                }
                return (JsonNode?)o;
            })),
            (1, Json(depth - 1).List[0, 4].Select(items => (JsonNode?)new JsonArray([.. items]))));
    }

    /// <summary>A record that is nearly valid: the usual shape, each part possibly replaced by random JSON.</summary>
    private static readonly Gen<JsonNode?> NearRecords = Gen.Select(Json(3), Json(3), Json(4), Gen.Int[0, 6]).Select((a, b, image, which) =>
    {
        var change = new JsonObject
        {
            ["SequenceNumber"] = which == 0 ? a : "100",
            ["ApproximateCreationDateTime"] = which == 1 ? a : 1_765_000_000.5,
            ["SizeBytes"] = which == 2 ? a : 12,
            ["Keys"] = which == 3 ? a : new JsonObject { ["name"] = new JsonObject { ["S"] = "x" } },
            ["NewImage"] = which == 4 ? image : new JsonObject { ["name"] = new JsonObject { ["S"] = "x" } },
        };
        return (JsonNode?)new JsonObject { ["eventID"] = "e", ["eventName"] = which == 5 ? b : "MODIFY", ["dynamodb"] = which == 6 ? b : change };
    });

    [Fact]
    public void The_stream_records_parser_never_throws_and_names_why_it_skipped_a_record()
    {
        var reasons = new HashSet<string>(StringComparer.Ordinal);
        var cases = 0L;
        Gen.OneOf(NearRecords, Json(5)).List[1, 3].Sample(records =>
        {
            Interlocked.Increment(ref cases);
            var body = new JsonObject { ["Records"] = new JsonArray([.. records.Select(r => r?.DeepClone())]) }.ToJsonString();
            using var document = JsonDocument.Parse(body);
            var result = StreamsWire.ParseGetRecords(document.RootElement);
            Assert.Equal(records.Count, result.Records.Count + result.Undecodable.Count);
            foreach (var skipped in result.Undecodable)
            {
                Assert.False(string.IsNullOrWhiteSpace(skipped.Error), "a record skipped without a reason");
                lock (reasons)
                {
                    reasons.Add(PathOf(skipped.Error));
                }
            }
        }, iter: Cases);
        Figures("StreamsWire.ParseGetRecords", cases, reasons);
    }

    /// <summary>Found by the fuzz above: an ApproximateCreationDateTime beyond DateTimeOffset's range escaped as ArgumentOutOfRangeException.</summary>
    [Theory]
    [InlineData("1.7E+308")]
    [InlineData("-1e300")]
    [InlineData("253402300800")]
    public void A_record_whose_creation_time_is_out_of_range_is_kept_without_it_and_the_others_are_kept(string seconds)
    {
        var body = "{\"Records\": [{\"eventID\": \"e\", \"eventName\": \"MODIFY\", \"dynamodb\": {\"SequenceNumber\": \"1\", \"ApproximateCreationDateTime\": "
            + seconds + ", \"Keys\": {\"name\": {\"S\": \"x\"}}}}, {\"dynamodb\": {\"SequenceNumber\": \"2\", \"Keys\": {\"name\": {\"S\": \"y\"}}}}]}";
        using var document = JsonDocument.Parse(body);

        var result = StreamsWire.ParseGetRecords(document.RootElement);

        Assert.Equal(["1", "2"], result.Records.Select(r => r.SequenceNumber));
        Assert.Null(result.Records[0].ApproximateCreationDateTime);
    }

    private static readonly HashSet<string> Known = new([.. JobNames, .. TaskNames, .. StreamNames], StringComparer.Ordinal);

    /// <summary>The error's path with indexes as [] and every segment the generators made up as *: its shape.</summary>
    private static string PathOf(string error)
    {
        var path = error[..Math.Max(0, error.IndexOf(": ", StringComparison.Ordinal))];
        path = System.Text.RegularExpressions.Regex.Replace(path, @"\[\d+\]", "[]");
        return string.Join('.', path.Split('.').Select(s => Known.Contains(s.Replace("[]", "", StringComparison.Ordinal)) ? s : "*"));
    }

    private void Figures(string decoder, long cases, HashSet<string> paths) =>
        output.WriteLine($"FIGURE DecoderFuzzTests {decoder}: cases={cases} distinctErrorPaths={paths.Count} paths={string.Join(", ", paths.Order(StringComparer.Ordinal).Take(60))}");
}
