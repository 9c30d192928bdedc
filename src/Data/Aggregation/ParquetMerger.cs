using Coordinator.Data.Formats;
using Coordinator.Data.Storage;
using Parquet;

namespace Coordinator.Data.Aggregation;

/// <summary>
/// Merges Parquet results by copying their row groups, in batch order, into one file: memory is bounded by one row
/// group, not by the output. Each result is downloaded to a local temporary file (Parquet needs to seek to its
/// footer) while its sha256 is verified. Every result must have the first one's schema; a different one is an error
/// naming the batch.
/// </summary>
public static class ParquetMerger
{
    public static async Task<(string Sha256, long Bytes)> MergeAsync(
        IObjectStore store, IReadOnlyList<ResultSource> sources, Stream destination, string workDirectory, CancellationToken ct)
    {
        var merged = Path.Combine(workDirectory, "merged.parquet");
        var part = Path.Combine(workDirectory, "part.parquet");
        await using (var output = File.Create(merged))
        {
            ParquetWriter? writer = null;
            Parquet.Schema.ParquetSchema? schema = null;
            try
            {
                foreach (var source in sources)
                {
                    await DownloadVerifiedAsync(store, source, part, ct).ConfigureAwait(false);
                    await using var file = File.OpenRead(part);
                    await using var reader = await ParquetReader.CreateAsync(file, cancellationToken: ct).ConfigureAwait(false);
                    if (schema is null)
                    {
                        schema = reader.Schema;
                        writer = await ParquetWriter.CreateAsync(schema, output, cancellationToken: ct).ConfigureAwait(false);
                    }
                    else if (!schema.Equals(reader.Schema))
                    {
                        throw new InvalidDataException($"result of batch {source.Index} ({source.Uri}) has a different Parquet schema from batch {sources[0].Index}");
                    }
                    for (var g = 0; g < reader.RowGroupCount; g++)
                    {
                        using var groupReader = reader.OpenRowGroupReader(g);
                        using var groupWriter = writer!.CreateRowGroup();
                        foreach (var field in schema.GetDataFields())
                        {
                            // The partitioner's column buffer copies a column verbatim (values and levels): one way to do it.
                            var column = ParquetColumnBuffer.Create(field);
                            await column.LoadAsync(groupReader, ct).ConfigureAwait(false);
                            await column.WriteRowsAsync(groupWriter, 0, groupReader.RowCount, ct).ConfigureAwait(false);
                        }
                    }
                }
            }
            finally
            {
                if (writer is not null)
                {
                    await writer.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        await using var mergedFile = File.OpenRead(merged);
        return await HashingCopy.CopyAsync(mergedFile, destination, ct).ConfigureAwait(false);
    }

    private static async Task DownloadVerifiedAsync(IObjectStore store, ResultSource source, string path, CancellationToken ct)
    {
        var raw = await store.OpenReadIfMatchAsync(source.Uri, source.ETag, ct).ConfigureAwait(false);
        await using var input = new ChecksumVerifyingStream(raw, source);
        await using var file = File.Create(path);
        await input.CopyToAsync(file, ct).ConfigureAwait(false);
    }
}
