using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Coordinator.Controllers.Tests.Partitioning;
using Coordinator.Data.Formats;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Tests.Formats;

public sealed class JsonlPartitionerTests : IDisposable
{
    private readonly PartitionFixture _f = new();

    public void Dispose() => _f.Dispose();

    private static string Lines(int from, int count) =>
        string.Concat(Enumerable.Range(from, count).Select(i => $"{{\"i\":{i}}}\n"));

    [Fact]
    public async Task Splits_by_max_records_and_counts_offsets_across_files_in_key_order()
    {
        _f.Write("b.jsonl", Lines(5, 4));
        _f.Write("a.jsonl", Lines(0, 5));
        var result = await _f.RunAsync(PartitionFixture.Job(_f.InputPrefix, InputFormat.Jsonl, 3));

        var m = result.Manifest;
        Assert.Equal(9, m.TotalRecords);
        Assert.Equal([3L, 3L, 3L], m.Batches.Select(b => b.RecordCount));
        Assert.Equal([0L, 3L, 6L], m.Batches.Select(b => b.FirstRecord));
        Assert.Equal(2, m.Batches[1].Sources.Count); // records 3-4 from a.jsonl, 5 from b.jsonl
        Assert.Equal(Lines(0, 9), string.Concat(m.Batches.Select(PartitionFixture.ReadBatch)));
        foreach (var b in m.Batches)
        {
            var bytes = File.ReadAllBytes(new Uri(b.Key).LocalPath);
            Assert.Equal(b.Bytes, bytes.Length);
            Assert.Equal(b.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }
    }

    [Fact]
    public async Task Splits_by_max_bytes_without_exceeding_it()
    {
        _f.Write("a.jsonl", Lines(0, 100));
        var result = await _f.RunAsync(PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, null, 50));
        Assert.All(result.Manifest.Batches, b => Assert.True(b.Bytes <= 50));
        Assert.Equal(Lines(0, 100), string.Concat(result.Manifest.Batches.Select(PartitionFixture.ReadBatch)));
    }

    [Fact]
    public async Task Crlf_lines_lose_their_cr_and_blank_lines_are_skipped_and_counted()
    {
        _f.Write("a.jsonl", "{\"a\":1}\r\n\r\n   \n{\"a\":2}\r\n{\"a\":3}");
        var result = await _f.RunAsync(PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 10));
        Assert.Equal(3, result.Manifest.TotalRecords);
        Assert.Equal(2, result.Stats.BlankLinesSkipped);
        Assert.Equal("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", PartitionFixture.ReadBatch(result.Manifest.Batches[0]));
    }

    [Fact]
    public async Task Malformed_json_names_object_and_line_when_validating_and_passes_raw_otherwise()
    {
        _f.Write("a.jsonl", "{\"a\":1}\n\n{\"a\":\n{\"a\":3}\n");
        var e = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 10)));
        Assert.Equal(InputErrorReasons.MalformedRecord, e.Reason);
        Assert.Equal("line 3", e.Location);
        Assert.EndsWith("a.jsonl", e.ObjectUri);
        Assert.Contains("a.jsonl line 3", e.Message);

        var raw = await _f.RunAsync(PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 10), validate: false);
        Assert.Equal(3, raw.Manifest.TotalRecords);
    }

    [Fact]
    public async Task Invalid_utf8_names_the_line()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"a\":1}\n{\"a\":2}\n{\"a\":\"x\"}\n");
        bytes[bytes.Length - 4] = 0xC3; // a lead byte followed by '"' is invalid
        _f.Write("a.jsonl", bytes);
        var e = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 10, null)));
        Assert.Equal(InputErrorReasons.InvalidEncoding, e.Reason);
        Assert.Equal("line 3", e.Location);
    }

    [Fact]
    public async Task A_record_larger_than_max_bytes_is_refused_naming_the_line()
    {
        _f.Write("a.jsonl", "{\"a\":1}\n{\"a\":\"" + new string('x', 200) + "\"}\n");
        var e = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, null, 100)));
        Assert.Equal(InputErrorReasons.RecordTooLarge, e.Reason);
        Assert.Equal("line 2", e.Location);
        Assert.False(File.Exists(_f.Layout.Manifest.LocalPath));
    }

    [Fact]
    public async Task A_100_MB_line_is_refused_without_buffering_it_all()
    {
        using (var file = File.Create(_f.Input("big.jsonl").LocalPath))
        {
            file.Write("{\"a\":1}\n{\"a\":\""u8);
            var chunk = new byte[1 << 20];
            chunk.AsSpan().Fill((byte)'x');
            for (var i = 0; i < 100; i++)
                file.Write(chunk);
            file.Write("\"}\n"u8);
        }
        var e = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(PartitionFixture.Job(_f.Input("big.jsonl"), InputFormat.Jsonl, 10)));
        Assert.Equal(InputErrorReasons.RecordTooLarge, e.Reason);
        Assert.Equal("line 2", e.Location);
    }

    [Fact]
    public async Task Gzip_input_is_read_transparently_and_truncated_gzip_is_refused()
    {
        var text = Lines(0, 5000);
        using (var gz = new GZipStream(File.Create(_f.Input("a.jsonl.gz").LocalPath), CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes(text));
        var ok = await _f.RunAsync(PartitionFixture.Job(_f.Input("a.jsonl.gz"), InputFormat.Jsonl, 1000));
        Assert.Equal(5000, ok.Manifest.TotalRecords);
        Assert.Equal(text, string.Concat(ok.Manifest.Batches.Select(PartitionFixture.ReadBatch)));

        var whole = File.ReadAllBytes(_f.Input("a.jsonl.gz").LocalPath);
        _f.Write("t.jsonl.gz", whole[..(whole.Length / 2)]);
        var e = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(PartitionFixture.Job(_f.Input("t.jsonl.gz"), InputFormat.Jsonl, 1000)));
        Assert.Equal(InputErrorReasons.CorruptCompression, e.Reason);
        Assert.Contains("t.jsonl.gz", e.Message);
    }

    [Fact]
    public async Task Empty_input_and_missing_input_are_refused_with_reasons()
    {
        _f.Write("empty.jsonl", "\n\n");
        var empty = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(PartitionFixture.Job(_f.Input("empty.jsonl"), InputFormat.Jsonl, 10)));
        Assert.Equal(InputErrorReasons.EmptyInput, empty.Reason);
        var missing = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(PartitionFixture.Job(_f.Input("nope/"), InputFormat.Jsonl, 10)));
        Assert.Equal(InputErrorReasons.InputNotFound, missing.Reason);
    }

    /// <summary>
    /// Valid JSONL of about <paramref name="bytes"/> with what raw mode's block path must hand to the line-by-line path:
    /// CRLF lines, blank and whitespace-only lines, lines starting with a space or a tab, runs of long lines.
    /// </summary>
    private static string MixedJsonl(int seed, int bytes)
    {
        var random = new Random(seed);
        var sb = new StringBuilder();
        var plain = true;
        for (var i = 0; sb.Length < bytes; i++)
        {
            if (i % 10_000 == 0)
                plain = random.Next(2) == 0; // regions of plain lines (the block path) between mixed ones
            var roll = plain ? 10 + random.Next(990) : random.Next(1000);
            if (roll < 3)
            {
                sb.Append(roll == 0 ? "\n" : roll == 1 ? " \t \r\n" : "\r\n");
                continue;
            }
            var prefix = roll < 6 ? " " : roll < 8 ? "\t" : "";
            var text = new string((char)('a' + random.Next(26)), roll < 10 ? random.Next(2_000, 40_000) : random.Next(0, 120));
            sb.Append(prefix).Append("{\"i\":").Append(i).Append(",\"t\":\"").Append(text).Append("\"}").Append(!plain && roll % 97 == 0 ? "\r\n" : "\n");
        }
        return sb.ToString();
    }

    [Theory]
    [InlineData(1, 1000L, null)]
    [InlineData(2, 37L, null)]
    [InlineData(3, null, 300_000L)]
    [InlineData(4, 5000L, 1_000_000L)]
    [InlineData(5, 20_000L, null)]
    [InlineData(6, null, 2_000_000L)]
    public async Task Raw_mode_gives_the_same_batches_as_line_by_line_validation(int seed, long? maxRecords, long? maxBytes)
    {
        _f.Write("a.jsonl", MixedJsonl(seed, 9 * 1024 * 1024)); // crosses several 4 MiB reads and 256 KiB blocks
        var job = PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, maxRecords, maxBytes);

        var raw = await _f.RunAsync(job, validate: false);
        var validated = await _f.RunAsync(job, validate: true);

        Assert.True(raw.Manifest.Batches.Count > 1);
        Assert.Equal(validated.Manifest.TotalRecords, raw.Manifest.TotalRecords);
        Assert.Equal(validated.Stats.BlankLinesSkipped, raw.Stats.BlankLinesSkipped);
        Assert.Equal(validated.Manifest.Batches.Select(b => (b.FirstRecord, b.RecordCount, b.Bytes, b.Sha256)),
            raw.Manifest.Batches.Select(b => (b.FirstRecord, b.RecordCount, b.Bytes, b.Sha256)));
        foreach (var b in raw.Manifest.Batches)
            Assert.Equal(b.Sha256, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(new Uri(b.Key).LocalPath))));
    }

    [Fact]
    public async Task Lines_longer_than_the_read_buffer_are_kept_whole()
    {
        var longLine = "{\"a\":\"" + new string('y', JsonlPartitioner.ReadBufferSize + 10) + "\"}\n";
        _f.Write("a.jsonl", "{\"a\":1}\n" + longLine + "{\"a\":2}\n");
        var result = await _f.RunAsync(PartitionFixture.Job(_f.Input("a.jsonl"), InputFormat.Jsonl, 2));
        Assert.Equal("{\"a\":1}\n" + longLine + "{\"a\":2}\n", string.Concat(result.Manifest.Batches.Select(PartitionFixture.ReadBatch)));
    }
}
