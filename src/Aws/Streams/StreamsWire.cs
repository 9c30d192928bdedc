using System.Text.Json;

namespace Coordinator.Aws.Streams;

/// <summary>
/// The JSON 1.0 wire format of DynamoDB Streams (service model DynamoDBStreams_20120810): request bodies and
/// response parsing, pure and separately tested. Request members are PascalCase; record fields are camelCase
/// (<c>eventID</c>, <c>eventName</c>, <c>dynamodb</c>) as in the service model.
/// </summary>
public static class StreamsWire
{
    public const string TargetPrefix = "DynamoDBStreams_20120810.";
    public const string ContentType = "application/x-amz-json-1.0";

    public static byte[] DescribeStreamBody(string streamArn, string? exclusiveStartShardId, int? limit) => Write(w =>
    {
        w.WriteString("StreamArn", streamArn);
        WriteOptional(w, "ExclusiveStartShardId", exclusiveStartShardId);
        WriteOptional(w, "Limit", limit);
    });

    public static byte[] GetShardIteratorBody(string streamArn, string shardId, ShardIteratorType type, string? sequenceNumber) => Write(w =>
    {
        w.WriteString("StreamArn", streamArn);
        w.WriteString("ShardId", shardId);
        w.WriteString("ShardIteratorType", IteratorTypeName(type));
        WriteOptional(w, "SequenceNumber", sequenceNumber);
    });

    public static byte[] GetRecordsBody(string shardIterator, int? limit) => Write(w =>
    {
        w.WriteString("ShardIterator", shardIterator);
        WriteOptional(w, "Limit", limit);
    });

    public static byte[] ListStreamsBody(string? tableName, string? exclusiveStartStreamArn, int? limit) => Write(w =>
    {
        WriteOptional(w, "TableName", tableName);
        WriteOptional(w, "ExclusiveStartStreamArn", exclusiveStartStreamArn);
        WriteOptional(w, "Limit", limit);
    });

    public static string IteratorTypeName(ShardIteratorType type) => type switch
    {
        ShardIteratorType.TrimHorizon => "TRIM_HORIZON",
        ShardIteratorType.Latest => "LATEST",
        ShardIteratorType.AtSequenceNumber => "AT_SEQUENCE_NUMBER",
        ShardIteratorType.AfterSequenceNumber => "AFTER_SEQUENCE_NUMBER",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "unknown shard iterator type"),
    };

    public static StreamDescription ParseDescribeStream(JsonElement root)
    {
        var description = root.GetProperty("StreamDescription");
        var shards = new List<Shard>();
        if (description.TryGetProperty("Shards", out var shardArray))
        {
            foreach (var shard in shardArray.EnumerateArray())
            {
                string? starting = null, ending = null;
                if (shard.TryGetProperty("SequenceNumberRange", out var range))
                {
                    starting = OptionalString(range, "StartingSequenceNumber");
                    ending = OptionalString(range, "EndingSequenceNumber");
                }
                shards.Add(new Shard(shard.GetProperty("ShardId").GetString()!, OptionalString(shard, "ParentShardId"), starting, ending));
            }
        }
        return new StreamDescription(
            description.GetProperty("StreamArn").GetString()!,
            OptionalString(description, "StreamStatus"),
            OptionalString(description, "TableName"),
            shards,
            OptionalString(description, "LastEvaluatedShardId"));
    }

    public static string ParseShardIterator(JsonElement root) =>
        OptionalString(root, "ShardIterator") ?? throw new FormatException("GetShardIterator answered without a ShardIterator");

    /// <summary>Parses records; one that can't be read is reported in Undecodable and the rest are kept.</summary>
    public static GetRecordsResult ParseGetRecords(JsonElement root)
    {
        var records = new List<StreamRecord>();
        var undecodable = new List<UndecodableRecord>();
        if (root.TryGetProperty("Records", out var array))
        {
            foreach (var record in array.EnumerateArray())
            {
                try
                {
                    records.Add(ParseRecord(record));
                }
                catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException)
                {
                    var sequence = record.ValueKind == JsonValueKind.Object && record.TryGetProperty("dynamodb", out var change)
                        && change.ValueKind == JsonValueKind.Object ? OptionalString(change, "SequenceNumber") : null;
                    undecodable.Add(new UndecodableRecord(sequence, e.Message));
                }
            }
        }
        return new GetRecordsResult(records, OptionalString(root, "NextShardIterator")) { Undecodable = undecodable };
    }

    private static readonly double MinUnixMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly double MaxUnixMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    public static StreamRecord ParseRecord(JsonElement record)
    {
        var change = record.GetProperty("dynamodb");
        DateTimeOffset? created = null;
        if (change.TryGetProperty("ApproximateCreationDateTime", out var time) && time.ValueKind == JsonValueKind.Number
            && Math.Round(time.GetDouble() * 1000) is var ms && ms >= MinUnixMilliseconds && ms <= MaxUnixMilliseconds)
        {
            // Informational only: a time DateTimeOffset cannot hold leaves it unset rather than losing the record.
            created = DateTimeOffset.FromUnixTimeMilliseconds((long)ms);
        }
        return new StreamRecord(
            OptionalString(record, "eventID") ?? "",
            OptionalString(record, "eventName") ?? "",
            OptionalString(change, "SequenceNumber") ?? throw new FormatException("stream record without dynamodb.SequenceNumber"),
            created,
            change.TryGetProperty("SizeBytes", out var size) && size.ValueKind == JsonValueKind.Number ? size.GetInt64() : 0,
            change.TryGetProperty("Keys", out var keys) ? AttributeValueJson.ReadMap(keys, "Keys") : [],
            change.TryGetProperty("NewImage", out var newImage) ? AttributeValueJson.ReadMap(newImage, "NewImage") : null,
            change.TryGetProperty("OldImage", out var oldImage) ? AttributeValueJson.ReadMap(oldImage, "OldImage") : null);
    }

    public static ListStreamsResult ParseListStreams(JsonElement root)
    {
        var streams = new List<StreamSummary>();
        if (root.TryGetProperty("Streams", out var array))
        {
            foreach (var stream in array.EnumerateArray())
            {
                streams.Add(new StreamSummary(stream.GetProperty("StreamArn").GetString()!,
                    OptionalString(stream, "TableName"), OptionalString(stream, "StreamLabel")));
            }
        }
        return new ListStreamsResult(streams, OptionalString(root, "LastEvaluatedStreamArn"));
    }

    /// <summary>The error code from an error body's <c>__type</c> ("com.amazonaws...#ExpiredIteratorException").</summary>
    public static (string Code, string Message) ParseError(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var type = OptionalString(root, "__type") ?? "Unknown";
            var message = OptionalString(root, "message") ?? OptionalString(root, "Message") ?? "";
            return (type[(type.LastIndexOf('#') + 1)..], message);
        }
        catch (JsonException)
        {
            return ("Unknown", body.Length > 300 ? body[..300] : body);
        }
    }

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static void WriteOptional(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteOptional(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
