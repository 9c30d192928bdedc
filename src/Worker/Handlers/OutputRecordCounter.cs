using System.Text.Json;
using Coordinator.Data.Formats;
using Coordinator.Data.Partitioning;
using Coordinator.Model.Spec;
using Parquet;
using Sylvan.Data.Csv;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// Counts — and so validates — the records of a handler's output file, streaming it: JSONL line by line (blank lines
/// skipped, every other line must be one JSON value), CSV through an RFC 4180 reader (header not counted), Parquet from
/// its footer. Invalid output throws <see cref="OutputValidationException"/> naming the line.
/// </summary>
public static class OutputRecordCounter
{
    public static async Task<long> CountAsync(string path, InputFormat format, CancellationToken ct, long maxRecordBytes = BatchLimits.HardRecordLimitBytes) => format switch
    {
        InputFormat.Jsonl => await CountJsonlAsync(path, maxRecordBytes, ct).ConfigureAwait(false),
        InputFormat.Csv => await CountCsvAsync(path, ct).ConfigureAwait(false),
        InputFormat.Parquet => await CountParquetAsync(path, ct).ConfigureAwait(false),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown format"),
    };

    private static async Task<long> CountJsonlAsync(string path, long maxRecordBytes, CancellationToken ct)
    {
        using var reader = new StreamReader(path, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        long records = 0;
        long lineNumber = 0;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            if (StdioRecords.OverLimit(line, maxRecordBytes) is { } message)
            {
                throw new OutputValidationException($"handler output line {lineNumber} {message}");
            }
            try
            {
                using var _ = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                var excerpt = line.Length > 80 ? line[..80] + "…" : line;
                throw new OutputValidationException($"handler output line {lineNumber} is not valid JSON ({e.Message}): {excerpt}");
            }
            records++;
        }
        return records;
    }

    private static async Task<long> CountCsvAsync(string path, CancellationToken ct)
    {
        try
        {
            await using var csv = await CsvDataReader.CreateAsync(path, new CsvDataReaderOptions { HasHeaders = true }, ct).ConfigureAwait(false);
            long records = 0;
            while (await csv.ReadAsync(ct).ConfigureAwait(false))
            {
                records++;
            }
            return records;
        }
        catch (CsvFormatException e)
        {
            throw new OutputValidationException($"handler output is not valid CSV at row {e.RowNumber}: {e.Message}");
        }
    }

    private static async Task<long> CountParquetAsync(string path, CancellationToken ct)
    {
        try
        {
            await using var file = File.OpenRead(path);
            await using var reader = await ParquetReader.CreateAsync(file, cancellationToken: ct).ConfigureAwait(false);
            long rows = 0;
            for (var i = 0; i < reader.RowGroupCount; i++)
            {
                using var group = reader.OpenRowGroupReader(i);
                rows += group.RowCount;
            }
            return rows;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ParquetException)
        {
            throw new OutputValidationException($"handler output is not a valid Parquet file: {e.Message}");
        }
    }
}
