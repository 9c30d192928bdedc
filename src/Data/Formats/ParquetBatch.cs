using Coordinator.Data.Partitioning;
using Parquet;
using Parquet.Schema;

namespace Coordinator.Data.Formats;

/// <summary>The open Parquet batch: a <see cref="ParquetWriter"/> over the batch object, one row group per copied slice.</summary>
internal sealed class ParquetBatch(BatchOutput output)
{
    private BatchWriter? _writer;
    private ParquetWriter? _parquet;
    private long _nextRecord;

    public bool IsOpen => _writer is not null;
    public long Records { get; private set; }
    /// <summary>Uncompressed bytes of the rows in this batch, as estimated from the input's row group sizes.</summary>
    public long EstimatedBytes { get; private set; }

    public async Task StartAsync(ParquetSchema schema, CancellationToken ct)
    {
        _writer = await output.StartAsync(_nextRecord, ct).ConfigureAwait(false);
        _parquet = await ParquetWriter.CreateAsync(schema, new NonClosingStream(_writer.Stream), ParquetSettings.Options, false, ct).ConfigureAwait(false);
        Records = 0;
        EstimatedBytes = 0;
    }

    public async Task WriteRowsAsync(ParquetColumnBuffer[] columns, long firstRow, long rows, long rowBytes, string source, CancellationToken ct)
    {
        using (var rowGroup = _parquet!.CreateRowGroup())
        {
            foreach (var column in columns)
                await column.WriteRowsAsync(rowGroup, firstRow, rows, ct).ConfigureAwait(false);
        }
        _writer!.AddSource(source);
        _writer.AddRecords(rows);
        Records += rows;
        EstimatedBytes += rows * rowBytes;
        _nextRecord += rows;
    }

    public async Task CompleteAsync(CancellationToken ct)
    {
        if (_writer is null)
            return;
        await _parquet!.DisposeAsync().ConfigureAwait(false); // writes the footer
        _parquet = null;
        var writer = _writer;
        _writer = null;
        try
        {
            await output.CompleteAsync(writer, ct).ConfigureAwait(false);
        }
        finally
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async Task AbandonAsync()
    {
        if (_parquet is not null)
        {
            try
            {
                await _parquet.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The batch is being abandoned after an error; its partial footer does not matter.
            }
            _parquet = null;
        }
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
            _writer = null;
        }
    }
}
