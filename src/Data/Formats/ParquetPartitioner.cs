using Coordinator.Data.Partitioning;
using Coordinator.Data.Storage;
using Coordinator.Model.Errors;
using Parquet;
using Parquet.Schema;

namespace Coordinator.Data.Formats;

/// <summary>
/// Parquet through Parquet.Net. Each batch is a Parquet file with the input's schema. Batches follow row groups: a
/// row group that fits the open batch is copied whole as one row group; one that does not is split at the row where
/// the limit falls, the rest starting the next batch. maxBytes is applied to each row group's uncompressed size as its
/// footer records it, shared equally among its rows (the only size known before encoding); the batch's real size and
/// sha256 are those of the file written. Memory: one decoded row group. All objects of a prefix must share one schema.
/// </summary>
public sealed class ParquetPartitioner : IFormatPartitioner
{
    private string _source = "";

    public async Task PartitionAsync(IObjectStore store, IReadOnlyList<ObjectInfo> inputs, BatchLimits limits, BatchOutput output,
        PartitionStats stats, CancellationToken ct)
    {
        ParquetSchema? schema = null;
        var batch = new ParquetBatch(output);
        try
        {
            foreach (var input in inputs)
            {
                _source = input.Uri.ToString();
                stats.Objects++;
                stats.InputBytes += input.Size;
                await using var stream = await SeekableObjectStream.OpenAsync(store, input.Uri, input.Size, ct).ConfigureAwait(false);
                await using var reader = await OpenAsync(stream, ct).ConfigureAwait(false);
                if (schema is null)
                    schema = reader.Schema;
                else if (!schema.Equals(reader.Schema))
                    throw new InputFormatException(InputErrorReasons.SchemaMismatch, _source, "",
                        $"schema differs from the first object's: first [{Describe(schema)}], this [{Describe(reader.Schema)}]");
                for (var g = 0; g < reader.RowGroupCount; g++)
                    stats.Records += await CopyRowGroupAsync(reader, g, schema, limits, batch, ct).ConfigureAwait(false);
            }
            await batch.CompleteAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            await batch.AbandonAsync().ConfigureAwait(false);
        }
    }

    private async Task<long> CopyRowGroupAsync(ParquetReader reader, int g, ParquetSchema schema, BatchLimits limits, ParquetBatch batch, CancellationToken ct)
    {
        var meta = reader.Metadata!.RowGroups[g];
        var rows = meta.NumRows;
        if (rows == 0)
            return 0;
        var rowBytes = Math.Max(1, (meta.TotalByteSize + rows - 1) / rows);
        if (BatchCutter.IsTooLarge(limits, rowBytes, 0))
            throw new InputFormatException(InputErrorReasons.RecordTooLarge, _source, $"row group {g}",
                $"rows average {rowBytes} bytes uncompressed, more than the limit of {limits.RecordLimitBytes} bytes per record");
        var columns = schema.DataFields.Select(ParquetColumnBuffer.Create).ToArray();
        try
        {
            using var rowGroup = reader.OpenRowGroupReader(g);
            foreach (var column in columns)
                await column.LoadAsync(rowGroup, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not CoordinatorException)
        {
            throw new InputFormatException(InputErrorReasons.CorruptParquet, _source, $"row group {g}", $"cannot decode: {e.Message}", e);
        }

        long taken = 0;
        while (taken < rows)
        {
            if (!batch.IsOpen)
                await batch.StartAsync(schema, ct).ConfigureAwait(false);
            var fit = BatchCutter.RecordsThatFit(limits, batch.Records, batch.EstimatedBytes, rowBytes, rows - taken);
            if (fit == 0)
            {
                await batch.CompleteAsync(ct).ConfigureAwait(false);
                continue;
            }
            await batch.WriteRowsAsync(columns, taken, fit, rowBytes, _source, ct).ConfigureAwait(false);
            taken += fit;
        }
        return rows;
    }

    private async Task<ParquetReader> OpenAsync(Stream stream, CancellationToken ct)
    {
        try
        {
            return await ParquetReader.CreateAsync(stream, ParquetSettings.Options, leaveStreamOpen: true, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not CoordinatorException)
        {
            throw new InputFormatException(InputErrorReasons.CorruptParquet, _source, "footer", $"not a readable Parquet file: {e.Message}", e);
        }
    }

    /// <summary>Columns as users know them ("id int32, text string?"), not as .NET types (ReadOnlyMemory`1[System.Char]).</summary>
    private static string Describe(Parquet.Schema.ParquetSchema schema) => string.Join(", ", schema.Fields.Select(f => f switch
    {
        Parquet.Schema.DataField d => $"{d.Name} {TypeName(d.ClrType)}{(d.IsNullable ? "?" : "")}{(d.IsArray ? "[]" : "")}",
        _ => $"{f.Name} {f.SchemaType.ToString().ToLowerInvariant()}",
    }));

    private static string TypeName(Type type) => type switch
    {
        _ when type == typeof(int) => "int32",
        _ when type == typeof(long) => "int64",
        _ when type == typeof(short) => "int16",
        _ when type == typeof(sbyte) => "int8",
        _ when type == typeof(byte) => "uint8",
        _ when type == typeof(float) => "float",
        _ when type == typeof(double) => "double",
        _ when type == typeof(decimal) => "decimal",
        _ when type == typeof(bool) => "boolean",
        _ when type == typeof(string) || type == typeof(ReadOnlyMemory<char>) => "string",
        _ when type == typeof(byte[]) => "binary",
        _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => "timestamp",
        _ => type.Name,
    };
}
