using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Coordinator.Model.Spec;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;
using Sylvan.Data.Csv;

namespace Coordinator.Data.Formats;

/// <summary>
/// The one record shape of stdio handlers (docs/handlers.md, "Record shapes"): whatever the input format, a stdio
/// handler reads one JSON object per line on stdin, and writes JSONL on stdout, which is then written in the job's
/// output format. CSV rows become objects keyed by the header (every value a string, as CSV has no types; without a
/// header the keys are c1, c2, …). Parquet rows become objects with this mapping: integers and floating point →
/// numbers (NaN and ±Infinity → the strings "NaN", "Infinity", "-Infinity"), boolean → true/false, string → string,
/// decimal → a string with the column's scale ("12.30", exact), timestamp → ISO 8601 UTC ("2026-12-07T10:30:00Z",
/// fractional seconds only when not zero), date → "2026-12-07", time → "10:30:00", binary → base64, a list → an array,
/// a struct or a map → an object, null → null. Memory: one CSV record, or one decoded Parquet row group, on the way in;
/// on the way out CSV streams, while Parquet holds the batch's records (the batch limits bound them).
/// </summary>
public static class StdioRecords
{
    private static readonly JsonWriterOptions Compact = new() { Indented = false, SkipValidation = false };

    /// <summary>
    /// Writes the batch at <paramref name="batchPath"/> (in <paramref name="input"/>'s format) as JSONL to
    /// <paramref name="jsonlPath"/>, one object per record; returns the number of records.
    /// </summary>
    public static async Task<long> ToJsonlAsync(string batchPath, InputSpec input, string jsonlPath, CancellationToken ct)
    {
        var output = new FileStream(jsonlPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (output.ConfigureAwait(false))
        {
            return input.Format switch
            {
                InputFormat.Csv => await CsvToJsonlAsync(batchPath, input.Csv, output, ct).ConfigureAwait(false),
                InputFormat.Parquet => await ParquetToJsonlAsync(batchPath, output, ct).ConfigureAwait(false),
                _ => throw new ArgumentOutOfRangeException(nameof(input), input.Format, "JSONL batches go to the handler as they are"),
            };
        }
    }

    private static async Task<long> CsvToJsonlAsync(string path, CsvOptions csv, Stream output, CancellationToken ct)
    {
        var options = new CsvDataReaderOptions { HasHeaders = csv.Header, Delimiter = CsvPartitioner.ParseDelimiter(csv.Delimiter) };
        await using var reader = await CsvDataReader.CreateAsync(path, options, ct).ConfigureAwait(false);
        string[]? names = null;
        long records = 0;
        using var line = new MemoryStream();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            names ??= csv.Header
                ? [.. Enumerable.Range(0, reader.FieldCount).Select(reader.GetName)]
                : [.. Enumerable.Range(1, reader.FieldCount).Select(i => $"c{i}")];
            records++;
            line.SetLength(0);
            using (var json = new Utf8JsonWriter(line, Compact))
            {
                json.WriteStartObject();
                for (var i = 0; i < reader.RowFieldCount; i++)
                {
                    json.WriteString(i < names.Length ? names[i] : $"c{i + 1}", reader.GetString(i));
                }
                json.WriteEndObject();
            }
            line.WriteByte((byte)'\n');
            line.Position = 0;
            await line.CopyToAsync(output, ct).ConfigureAwait(false);
        }
        return records;
    }

    private static async Task<long> ParquetToJsonlAsync(string path, Stream output, CancellationToken ct)
    {
        await using var file = File.OpenRead(path);
        int groups;
        ParquetSchema schema;
        await using (var reader = await ParquetReader.CreateAsync(file, ParquetSettings.Options, leaveStreamOpen: true, ct).ConfigureAwait(false))
        {
            groups = reader.RowGroupCount;
            schema = reader.Schema;
        }
        long records = 0;
        using var line = new MemoryStream();
        for (var g = 0; g < groups; g++)
        {
            file.Position = 0;
            var rows = await ParquetSerializer.DeserializeUntypedAsync(file, ParquetSettings.Options, g, ct).ConfigureAwait(false);
            foreach (var row in rows.Data)
            {
                records++;
                line.SetLength(0);
                using (var json = new Utf8JsonWriter(line, Compact))
                {
                    WriteObject(json, row, schema.Fields);
                }
                line.WriteByte((byte)'\n');
                line.Position = 0;
                await line.CopyToAsync(output, ct).ConfigureAwait(false);
            }
        }
        return records;
    }

    private static void WriteObject(Utf8JsonWriter json, IDictionary<string, object> row, IEnumerable<Field> fields)
    {
        json.WriteStartObject();
        foreach (var field in fields)
        {
            json.WritePropertyName(field.Name);
            WriteValue(json, row.TryGetValue(field.Name, out var value) ? value : null, field);
        }
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, object? value, Field? field)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case decimal d:
                json.WriteStringValue(field is DecimalDataField { Scale: var scale and >= 0 }
                    ? d.ToString("F" + scale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
                    : d.ToString(CultureInfo.InvariantCulture));
                break;
            case double v:
                WriteFloat(json, v);
                break;
            case float v:
                WriteFloat(json, v);
                break;
            case DateTime t:
                json.WriteStringValue(Timestamp(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc)));
                break;
            case DateTimeOffset t:
                json.WriteStringValue(Timestamp(t.UtcDateTime));
                break;
            case DateOnly d:
                json.WriteStringValue(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case TimeOnly t:
                json.WriteStringValue(t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'));
                break;
            case TimeSpan t:
                json.WriteStringValue(t.ToString("c", CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                json.WriteBase64StringValue(bytes);
                break;
            case Guid g:
                json.WriteStringValue(g.ToString());
                break;
            case IDictionary<string, object> nested:
                WriteObject(json, nested, field is StructField st ? st.Fields : nested.Keys.Select(k => (Field)new DataField<string>(k)));
                break;
            case IDictionary map:
                json.WriteStartObject();
                foreach (DictionaryEntry entry in map)
                {
                    json.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    WriteValue(json, entry.Value, null);
                }
                json.WriteEndObject();
                break;
            case IEnumerable items:
                json.WriteStartArray();
                var element = field switch
                {
                    ListField list => list.Item,
                    DataField { IsArray: true } d => d,
                    _ => null,
                };
                foreach (var item in items)
                {
                    WriteValue(json, item, element);
                }
                json.WriteEndArray();
                break;
            case IFormattable number when IsInteger(number):
                json.WriteRawValue(number.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static bool IsInteger(object value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or Int128 or UInt128 or System.Numerics.BigInteger;

    private static void WriteFloat(Utf8JsonWriter json, double value)
    {
        if (double.IsNaN(value))
            json.WriteStringValue("NaN");
        else if (double.IsInfinity(value))
            json.WriteStringValue(value > 0 ? "Infinity" : "-Infinity");
        else
            json.WriteNumberValue(value);
    }

    private static string Timestamp(DateTime utc) =>
        utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + "Z";

    /// <summary>
    /// Reads the handler's JSONL at <paramref name="jsonlPath"/> (every non-blank line one JSON object) and writes it to
    /// <paramref name="outputPath"/> as CSV (header: the first record's keys, in order) or Parquet (with
    /// <paramref name="parquetSchemaFrom"/>'s schema); returns the number of records. A record that does not fit throws
    /// <see cref="RecordShapeException"/> naming the line of the handler's output and what was wrong.
    /// </summary>
    public static async Task<long> FromJsonlAsync(string jsonlPath, InputFormat format, CsvOptions csv, string? parquetSchemaFrom,
        string outputPath, CancellationToken ct, long maxRecordBytes = Partitioning.BatchLimits.HardRecordLimitBytes) => format switch
        {
            InputFormat.Csv => await JsonlToCsvAsync(jsonlPath, csv, outputPath, maxRecordBytes, ct).ConfigureAwait(false),
            InputFormat.Parquet => await JsonlToParquetAsync(jsonlPath,
                parquetSchemaFrom ?? throw new RecordShapeException("Parquet output from a stdio handler needs a schema: the input must be Parquet"),
                outputPath, maxRecordBytes, ct).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "JSONL output is written as it is"),
        };

    /// <summary>The handler's output lines that are not blank, as (line number, parsed object).</summary>
    private static async IAsyncEnumerable<(long Line, JsonElement Record)> ReadObjectsAsync(string path, long maxRecordBytes,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        long number = 0;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            if (OverLimit(line, maxRecordBytes) is { } over)
                throw new RecordShapeException($"handler output line {number} {over}");
            JsonElement record;
            try
            {
                using var document = JsonDocument.Parse(line);
                record = document.RootElement.Clone();
            }
            catch (JsonException e)
            {
                throw new RecordShapeException($"handler output line {number} is not valid JSON ({e.Message}): {Excerpt(line)}");
            }
            if (record.ValueKind != JsonValueKind.Object)
                throw new RecordShapeException($"handler output line {number} is a JSON {record.ValueKind.ToString().ToLowerInvariant()}, not an object: {Excerpt(line)}");
            yield return (number, record);
        }
    }

    /// <summary>"is N bytes, over the limit of M bytes for one record" when the UTF-8 line is longer than <paramref name="limit"/>; else null.</summary>
    public static string? OverLimit(string line, long limit)
    {
        if (line.Length * 3L <= limit)
            return null;
        var bytes = Encoding.UTF8.GetByteCount(line);
        return bytes > limit ? $"is {bytes} bytes, over the limit of {limit} bytes for one record" : null;
    }

    private static string Excerpt(string line) => line.Length > 80 ? line[..80] + "…" : line;

    private static async Task<long> JsonlToCsvAsync(string jsonlPath, CsvOptions csv, string outputPath, long maxRecordBytes, CancellationToken ct)
    {
        var delimiter = CsvPartitioner.ParseDelimiter(csv.Delimiter);
        var output = new StreamWriter(outputPath, append: false, new UTF8Encoding(false), 1 << 16);
        await using (output.ConfigureAwait(false))
        {
            List<string>? header = null;
            long records = 0;
            var fields = new List<string>();
            await foreach (var (line, record) in ReadObjectsAsync(jsonlPath, maxRecordBytes, ct).ConfigureAwait(false))
            {
                if (header is null)
                {
                    header = [.. record.EnumerateObject().Select(p => p.Name)];
                    if (csv.Header)
                        await output.WriteAsync(string.Join(delimiter, header.Select(h => Quote(h, delimiter))) + "\n").ConfigureAwait(false);
                }
                var values = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in record.EnumerateObject())
                {
                    if (!header.Contains(property.Name))
                        throw new RecordShapeException(
                            $"handler output line {line} has field \"{property.Name}\", which the CSV header (from the first record) does not: {string.Join(",", header)}");
                    values[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Null => "",
                        _ => property.Value.GetRawText(),
                    };
                }
                fields.Clear();
                fields.AddRange(header.Select(h => Quote(values.GetValueOrDefault(h, ""), delimiter)));
                await output.WriteAsync(string.Join(delimiter, fields) + "\n").ConfigureAwait(false);
                records++;
            }
            return records;
        }
    }

    private static string Quote(string value, char delimiter) =>
        value.AsSpan().IndexOfAny([delimiter, '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static async Task<long> JsonlToParquetAsync(string jsonlPath, string schemaFrom, string outputPath, long maxRecordBytes, CancellationToken ct)
    {
        ParquetSchema schema;
        await using (var source = File.OpenRead(schemaFrom))
        await using (var reader = await ParquetReader.CreateAsync(source, ParquetSettings.Options, false, ct).ConfigureAwait(false))
        {
            schema = reader.Schema;
        }
        var fields = schema.Fields;
        var rows = new List<IDictionary<string, object?>>();
        await foreach (var (line, record) in ReadObjectsAsync(jsonlPath, maxRecordBytes, ct).ConfigureAwait(false))
        {
            rows.Add(ParquetRow(record, fields, line, ""));
        }
        await using var output = new FileStream(outputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await ParquetSerializer.SerializeUntypedAsync(rows, schema, output, ParquetSettings.Options, null, ct).ConfigureAwait(false);
        return rows.Count;
    }

    private static Dictionary<string, object?> ParquetRow(JsonElement record, IReadOnlyList<Field> fields, long line, string prefix)
    {
        foreach (var property in record.EnumerateObject())
        {
            if (!fields.Any(f => f.Name == property.Name))
                throw new RecordShapeException($"handler output line {line} has field \"{prefix}{property.Name}\", which the Parquet schema does not: {string.Join(", ", fields.Select(f => prefix + f.Name))}");
        }
        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var field in fields)
            row[field.Name] = ParquetField(record.TryGetProperty(field.Name, out var v) ? v : default, field, line, prefix);
        return row;
    }

    private static object? ParquetField(JsonElement value, Field field, long line, string prefix)
    {
        switch (field)
        {
            case DataField data:
                return ParquetValue(value, data, line);
            case ListField { Item: DataField item } when value.ValueKind == JsonValueKind.Array:
                var array = Array.CreateInstance(item.IsNullable && item.ClrType.IsValueType ? typeof(Nullable<>).MakeGenericType(item.ClrType) : item.ClrType, value.GetArrayLength());
                var i = 0;
                foreach (var element in value.EnumerateArray())
                    array.SetValue(ParquetValue(element, item, line), i++);
                return array;
            case StructField st when value.ValueKind == JsonValueKind.Object:
                return ParquetRow(value, st.Fields, line, prefix + field.Name + ".");
            case ListField or StructField when value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            default:
                throw new RecordShapeException($"handler output line {line}: field \"{prefix}{field.Name}\" is {(value.ValueKind == JsonValueKind.Undefined ? "missing" : Excerpt(value.GetRawText()))}, which does not fit the Parquet {field.SchemaType.ToString().ToLowerInvariant()} column (supported: scalar columns, lists of scalars, structs)");
        }
    }

    private static object? ParquetValue(JsonElement value, DataField field, long line)
    {
        if (value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            if (!field.IsNullable)
                throw new RecordShapeException($"handler output line {line}: field \"{field.Name}\" is {(value.ValueKind == JsonValueKind.Null ? "null" : "missing")}, but the Parquet column is not nullable");
            return null;
        }
        var type = field.ClrType;
        try
        {
            return type switch
            {
                _ when type == typeof(string) => value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText(),
                _ when type == typeof(ReadOnlyMemory<char>) => (value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()).AsMemory(),
                _ when type == typeof(bool) => value.GetBoolean(),
                _ when type == typeof(int) => value.GetInt32(),
                _ when type == typeof(long) => value.GetInt64(),
                _ when type == typeof(short) => value.GetInt16(),
                _ when type == typeof(sbyte) => value.GetSByte(),
                _ when type == typeof(byte) => value.GetByte(),
                _ when type == typeof(double) => Floating(value),
                _ when type == typeof(float) => (float)Floating(value),
                _ when type == typeof(decimal) => value.ValueKind == JsonValueKind.String
                    ? decimal.Parse(value.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture)
                    : value.GetDecimal(),
                _ when type == typeof(DateTime) => DateTime.Parse(value.GetString()!, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                _ when type == typeof(DateTimeOffset) => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                _ when type == typeof(DateOnly) => DateOnly.Parse(value.GetString()!, CultureInfo.InvariantCulture),
                _ when type == typeof(TimeOnly) => TimeOnly.Parse(value.GetString()!, CultureInfo.InvariantCulture),
                _ when type == typeof(byte[]) => value.GetBytesFromBase64(),
                _ => throw new RecordShapeException($"handler output line {line}: field \"{field.Name}\" has Parquet type {type.Name}, which Parquet output from a stdio handler does not support"),
            };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or ArgumentNullException)
        {
            throw new RecordShapeException($"handler output line {line}: field \"{field.Name}\" is {Excerpt(value.GetRawText())}, which does not fit the Parquet column's type {type.Name}");
        }
    }

    private static double Floating(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => double.Parse(s!, NumberStyles.Float, CultureInfo.InvariantCulture),
        }
        : value.GetDouble();
}

/// <summary>A stdio handler's output record that does not fit the job's output format; the message names the line.</summary>
public sealed class RecordShapeException(string message) : Coordinator.Model.Errors.CoordinatorException(message);
