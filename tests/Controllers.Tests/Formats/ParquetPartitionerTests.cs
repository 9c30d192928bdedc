using Coordinator.Controllers.Tests.Partitioning;
using Coordinator.Data.Formats;
using Coordinator.Model.Spec;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace Coordinator.Controllers.Tests.Formats;

public sealed class ParquetPartitionerTests : IDisposable
{
    private readonly PartitionFixture _f = new();
    private static readonly ParquetSchema Schema = new(
        new DataField<int>("id"), new DataField<string>("name"), new DataField<double?>("score"), new DataField<int[]>("tags"));

    public void Dispose() => _f.Dispose();

    private static async Task WriteAsync(string path, params int[] rowGroupSizes)
    {
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(Schema, file, null, false, CancellationToken.None);
        var next = 0;
        foreach (var size in rowGroupSizes)
        {
            using var rg = writer.CreateRowGroup();
            var ids = Enumerable.Range(next, size).ToArray();
            await rg.WriteAsync<int>(Schema.DataFields[0], ids, null, null, CancellationToken.None);
            await rg.WriteAsync(Schema.DataFields[1], ids.Select(i => i % 3 == 0 ? null : $"n{i}").ToArray(), null);
            await rg.WriteAsync<double>(Schema.DataFields[2], ids.Select(i => i % 4 == 0 ? (double?)null : i / 2.0).ToArray(), null, null, CancellationToken.None);
            // row i has (i % 3) + 1 tags
            var tags = new List<int>();
            var reps = new List<int>();
            foreach (var i in ids)
                for (var t = 0; t <= i % 3; t++) { tags.Add(i * 10 + t); reps.Add(t == 0 ? 0 : 1); }
            await rg.WriteAsync<int>(Schema.DataFields[3], tags.ToArray(), reps.ToArray(), null, CancellationToken.None);
            next += size;
        }
    }

    internal static async Task<List<(int Id, string? Name, double? Score, string Tags)>> ReadRowsAsync(string path)
    {
        var rows = new List<(int, string?, double?, string)>();
        var data = await ParquetSerializer.DeserializeUntypedAsync(File.OpenRead(path), null, null, CancellationToken.None);
        foreach (var row in data.Data)
        {
            var tags = row.TryGetValue("tags", out var t) && t is System.Collections.IEnumerable e ? string.Join('|', e.Cast<object>().Select(x => x is IDictionary<string, object> d ? string.Join(',', d.Values) : x.ToString())) : "";
            rows.Add(((int)row["id"]!, row.TryGetValue("name", out var n) ? (string?)n : null, row.TryGetValue("score", out var s) ? (double?)s : null, tags));
        }
        return rows;
    }

    [Fact]
    public async Task Batches_follow_row_groups_and_split_them_where_they_must_preserving_rows_and_schema()
    {
        await WriteAsync(_f.Input("a.parquet").LocalPath, 10, 25, 5);
        var result = await _f.RunAsync(PartitionFixture.Job(_f.Input("a.parquet"), InputFormat.Parquet, 20));

        Assert.Equal([20L, 20L], result.Manifest.Batches.Select(b => b.RecordCount));
        var expected = await ReadRowsAsync(_f.Input("a.parquet").LocalPath);
        ParquetSchema inputSchema;
        await using (var input = await ParquetReader.CreateAsync(File.OpenRead(_f.Input("a.parquet").LocalPath), null, false, CancellationToken.None))
            inputSchema = input.Schema;
        var actual = new List<(int, string?, double?, string)>();
        foreach (var batch in result.Manifest.Batches)
        {
            var path = new Uri(batch.Key).LocalPath;
            await using (var reader = await ParquetReader.CreateAsync(File.OpenRead(path), null, false, CancellationToken.None))
                Assert.True(inputSchema.Equals(reader.Schema), inputSchema.GetNotEqualsMessage(reader.Schema, "input", "batch"));
            actual.AddRange(await ReadRowsAsync(path));
        }
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_whole_row_group_that_fits_stays_one_row_group()
    {
        await WriteAsync(_f.Input("a.parquet").LocalPath, 10, 10, 10);
        var result = await _f.RunAsync(PartitionFixture.Job(_f.Input("a.parquet"), InputFormat.Parquet, 10));
        Assert.Equal(3, result.Manifest.Batches.Count);
        foreach (var batch in result.Manifest.Batches)
        {
            await using var reader = await ParquetReader.CreateAsync(File.OpenRead(new Uri(batch.Key).LocalPath), null, false, CancellationToken.None);
            Assert.Equal(1, reader.RowGroupCount);
        }
    }

    [Fact]
    public async Task Corrupt_footer_is_refused_naming_the_object()
    {
        await WriteAsync(_f.Input("a.parquet").LocalPath, 10);
        var bytes = File.ReadAllBytes(_f.Input("a.parquet").LocalPath);
        bytes.AsSpan(bytes.Length - 12, 8).Fill(0xFF);
        _f.Write("bad.parquet", bytes);
        var e = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(PartitionFixture.Job(_f.Input("bad.parquet"), InputFormat.Parquet, 10)));
        Assert.Equal(InputErrorReasons.CorruptParquet, e.Reason);
        Assert.EndsWith("bad.parquet", e.ObjectUri);
    }
}
