using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Coordinator.Data.Formats;

namespace Coordinator.Controllers.Tests.Formats;

public sealed class GzipMembersStreamTests
{
    private const string Source = "file:///data/in.jsonl.gz";

    /// <summary>A gzip member of no data, as <c>printf '' | gzip</c> writes it (.NET's GZipStream writes nothing at all).</summary>
    private static readonly byte[] EmptyMember = Convert.FromHexString("1F8B080000000000000303000000000000000000");

    private static byte[] Member(byte[] content)
    {
        if (content.Length == 0)
            return EmptyMember;
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(content);
        return buffer.ToArray();
    }

    /// <summary>Incompressible-ish text so a member spans several 128 KiB input buffers.</summary>
    private static byte[] Text(int lines, int seed)
    {
        var random = new Random(seed);
        var sb = new StringBuilder();
        for (var i = 0; i < lines; i++)
            sb.Append("{\"i\":").Append(i).Append(",\"r\":\"").Append(random.NextInt64().ToString("x16")).Append(random.NextInt64().ToString("x16")).Append("\"}\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static byte[] ReadAll(byte[] gzip, int chunk, bool async)
    {
        using var stream = new GzipMembersStream(new MemoryStream(gzip), Source);
        using var output = new MemoryStream();
        var buffer = new byte[chunk];
        while (true)
        {
            var n = async ? stream.ReadAsync(buffer).AsTask().GetAwaiter().GetResult() : stream.Read(buffer);
            if (n == 0)
                return output.ToArray();
            output.Write(buffer, 0, n);
        }
    }

    private static InputFormatException Refused(byte[] gzip)
    {
        var e = Assert.Throws<InputFormatException>(() => ReadAll(gzip, 64 * 1024, async: false));
        Assert.Equal(InputErrorReasons.CorruptCompression, e.Reason);
        Assert.Equal(Source, e.ObjectUri);
        return e;
    }

    [Theory]
    [InlineData(1000, false)]
    [InlineData(1000, true)]
    [InlineData(1 << 20, false)]
    [InlineData(1 << 20, true)]
    public void Members_of_different_sizes_including_an_empty_one_decompress_to_their_concatenation(int chunk, bool async)
    {
        byte[][] parts = [Text(20_000, 1), [], "{\"small\":true}\n"u8.ToArray(), Text(3, 2), Text(9_000, 3)];
        var gzip = parts.SelectMany(Member).ToArray();

        Assert.Equal(parts.SelectMany(p => p).ToArray(), ReadAll(gzip, chunk, async));
    }

    [Fact]
    public void The_member_count_includes_empty_members()
    {
        var gzip = Member(Text(10, 1)).Concat(Member([])).Concat(Member(Text(10, 2))).ToArray();
        using var stream = new GzipMembersStream(new MemoryStream(gzip), Source);
        stream.CopyTo(Stream.Null);
        Assert.Equal(3, stream.Members);
    }

    [SkippableFact]
    public void Members_written_by_gnu_gzip_with_a_file_name_header_are_read_and_match_gzip_dc()
    {
        Skip.IfNot(File.Exists("/usr/bin/gzip"), "GNU gzip is not installed at /usr/bin/gzip");
        var dir = Directory.CreateTempSubdirectory("gzmembers");
        try
        {
            var a = Path.Combine(dir.FullName, "a.jsonl");
            File.WriteAllBytes(a, Text(5_000, 7));
            var gnu = Run("/usr/bin/gzip", "-c", "-N", a); // FNAME + MTIME header fields, unlike GZipStream's
            var gzip = gnu.Concat(Member(Text(100, 8))).Concat(gnu).ToArray();
            var joined = Path.Combine(dir.FullName, "joined.gz");
            File.WriteAllBytes(joined, gzip);

            Assert.Equal(Run("/usr/bin/gzip", "-dc", joined), ReadAll(gzip, 4096, async: true));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static byte[] Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return output.ToArray();
    }

    [Fact]
    public void A_truncation_inside_the_second_member_names_that_member_and_where_it_starts()
    {
        var first = Member(Text(2_000, 1));
        var second = Member(Text(2_000, 2));
        var gzip = first.Concat(second[..(second.Length / 2)]).ToArray();

        var e = Refused(gzip);

        Assert.Equal($"gzip member 2 (starting at compressed byte {first.Length})", e.Location);
        Assert.Contains($"truncated: the object ends at compressed byte {gzip.Length} inside the member", e.Message);
    }

    [Fact]
    public void A_member_cut_inside_its_trailer_is_truncated_not_silently_accepted()
    {
        var gzip = Member(Text(100, 1)).Concat(Member(Text(100, 2))).ToArray()[..^3];

        Assert.Contains("truncated", Refused(gzip).Message);
    }

    [Fact]
    public void A_corrupt_crc_in_the_first_member_is_reported_for_member_one()
    {
        var first = Member(Text(500, 1));
        var gzip = first.Concat(Member(Text(500, 2))).ToArray();
        gzip[first.Length - 8] ^= 0xFF; // CRC32 is the trailer's first 4 bytes

        var e = Refused(gzip);

        Assert.Equal("gzip member 1 (starting at compressed byte 0)", e.Location);
        Assert.Contains("CRC32 mismatch", e.Message);
    }

    [Fact]
    public void A_wrong_isize_is_reported_as_a_length_mismatch()
    {
        var first = Member(Text(500, 1));
        var gzip = first.Concat(Member(Text(10, 2))).ToArray();
        gzip[first.Length - 4] ^= 0x01; // ISIZE is the trailer's last 4 bytes

        Assert.Contains("ISIZE mismatch", Refused(gzip).Message);
    }

    [Fact]
    public void Garbage_after_the_last_member_is_refused_as_not_a_gzip_header()
    {
        var first = Member(Text(50, 1));
        var gzip = first.Concat("trailing words\n"u8.ToArray()).ToArray();

        var e = Refused(gzip);

        Assert.Equal($"gzip member 2 (starting at compressed byte {first.Length})", e.Location);
        Assert.Contains("bytes after gzip member 1 are not a gzip header", e.Message);
    }

    [Fact]
    public void Plain_text_and_an_empty_object_are_refused()
    {
        Assert.Contains("not a gzip header", Refused("{\"a\":1}\n"u8.ToArray()).Message);
        Assert.Contains("no gzip member", Refused([]).Message);
    }

    [Fact]
    public void Corrupt_deflate_data_names_the_member()
    {
        var second = Member(Text(3_000, 2));
        var first = Member(Text(10, 1));
        var gzip = first.Concat(second).ToArray();
        for (var i = first.Length + 20; i < first.Length + 60; i++)
            gzip[i] = 0xFF;

        var e = Refused(gzip);

        Assert.Equal($"gzip member 2 (starting at compressed byte {first.Length})", e.Location);
    }
}
