using Coordinator.Controllers.Tests.Partitioning;
using Coordinator.Data.Formats;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Tests.Formats;

public sealed class CsvPartitionerTests : IDisposable
{
    private readonly PartitionFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public async Task Header_is_written_on_every_batch_and_quoted_newlines_stay_in_one_record()
    {
        _f.Write("a.csv", "id,text\r\n1,plain\r\n2,\"two\nlines, and \"\"quotes\"\"\"\r\n3,x\r\n");
        var result = await _f.RunAsync(PartitionFixture.Job(_f.Input("a.csv"), InputFormat.Csv, 2));
        var batches = result.Manifest.Batches.Select(PartitionFixture.ReadBatch).ToList();
        Assert.Equal(3, result.Manifest.TotalRecords);
        Assert.Equal("id,text\n1,plain\n2,\"two\nlines, and \"\"quotes\"\"\"\n", batches[0]);
        Assert.Equal("id,text\n3,x\n", batches[1]);
    }

    [Fact]
    public async Task Delimiter_option_is_honoured_and_every_object_of_a_prefix_must_share_the_header()
    {
        var job = PartitionFixture.Job(_f.InputPrefix, InputFormat.Csv, 10);
        job.Spec.Input.Csv.Delimiter = ";";
        _f.Write("a.csv", "a;b\n1;\"x;y\"\n");
        _f.Write("b.csv", "a;b\n2;z\n");
        var result = await _f.RunAsync(job);
        Assert.Equal("a;b\n1;\"x;y\"\n2;z\n", PartitionFixture.ReadBatch(result.Manifest.Batches.Single()));

        _f.Write("c.csv", "a;c\n3;w\n");
        var e = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(job));
        Assert.Equal(InputErrorReasons.SchemaMismatch, e.Reason);
        Assert.EndsWith("c.csv", e.ObjectUri);
    }

    [Fact]
    public async Task Unbalanced_quote_is_refused_naming_object_and_line()
    {
        _f.Write("bad.csv", "a,b\n1,ok\n2,\"never closed\n3,x\n");
        var e = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(PartitionFixture.Job(_f.Input("bad.csv"), InputFormat.Csv, 10)));
        Assert.Contains("bad.csv", e.Message);
        Assert.Contains("line 3", e.Location);
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_naming_the_exact_line_even_far_past_the_decoders_read_ahead()
    {
        // 5000 good lines (well past the first 64 KiB the decoder reads ahead), then a bad byte on line 5002.
        var good = "id,text\n" + string.Concat(Enumerable.Range(0, 5000).Select(i => $"{i},some text for row {i}\n"));
        _f.Write("bad.csv", [.. System.Text.Encoding.UTF8.GetBytes(good + "5000,caf"), 0xC3, 0x28, .. "\n5001,ok\n"u8.ToArray()]);
        var e = await Assert.ThrowsAsync<InputFormatException>(() => _f.RunAsync(PartitionFixture.Job(_f.Input("bad.csv"), InputFormat.Csv, 100)));
        Assert.Equal((InputErrorReasons.InvalidEncoding, "line 5002"), (e.Reason, e.Location));
        Assert.EndsWith("bad.csv line 5002: invalid UTF-8", e.Message);
    }

    [Fact]
    public async Task Max_bytes_counts_the_header_in_each_batch()
    {
        _f.Write("a.csv", "header\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"r{i:D3}\n")));
        var result = await _f.RunAsync(PartitionFixture.Job(_f.Input("a.csv"), InputFormat.Csv, null, 22));
        Assert.All(result.Manifest.Batches, b => Assert.True(b.Bytes <= 22, $"batch {b.Index} has {b.Bytes} bytes"));
        Assert.Equal(20, result.Manifest.Batches.Sum(b => b.RecordCount));
    }
}
