using System.IO.Compression;
using Parquet;
using Parquet.Schema;

namespace Coordinator.Corpus.Tests;

/// <summary>Input objects generated at run time: good and broken gzip and Parquet, CSV text.</summary>
public static class Inputs
{
    /// <summary>One object under the case's input prefix.</summary>
    public static IReadOnlyDictionary<string, byte[]> One(CaseContext c, string file, byte[] content) =>
        new Dictionary<string, byte[]> { [c.InputPrefix + file] = content };

    /// <summary>Several objects under the case's input prefix, in the given order of names.</summary>
    public static IReadOnlyDictionary<string, byte[]> Many(CaseContext c, params (string File, byte[] Content)[] files) =>
        files.ToDictionary(f => c.InputPrefix + f.File, f => f.Content);

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }
        return buffer.ToArray();
    }

    /// <summary>A Parquet file of <paramref name="rows"/> rows: id (int), text (string); or, with <paramref name="otherSchema"/>, id (long), score (double).</summary>
    public static byte[] ParquetFile(int rows, bool otherSchema = false) => WriteParquetAsync(rows, otherSchema).GetAwaiter().GetResult();

    private static async Task<byte[]> WriteParquetAsync(int rows, bool otherSchema)
    {
        using var buffer = new MemoryStream();
        var ids = Enumerable.Range(0, rows).ToArray();
        var schema = otherSchema
            ? new ParquetSchema(new DataField<long>("id"), new DataField<double>("score"))
            : new ParquetSchema(new DataField<int>("id"), new DataField<string>("text"));
        await using (var writer = await ParquetWriter.CreateAsync(schema, buffer, null, false, CancellationToken.None))
        {
            using var group = writer.CreateRowGroup();
            if (otherSchema)
            {
                await group.WriteAsync<long>(schema.DataFields[0], ids.Select(i => (long)i).ToArray(), null, null, CancellationToken.None);
                await group.WriteAsync<double>(schema.DataFields[1], ids.Select(i => i * 0.5).ToArray(), null, null, CancellationToken.None);
            }
            else
            {
                await group.WriteAsync<int>(schema.DataFields[0], ids, null, null, CancellationToken.None);
                await group.WriteAsync(schema.DataFields[1], ids.Select(i => $"row {i}").ToArray(), null);
            }
        }
        return buffer.ToArray();
    }
}
