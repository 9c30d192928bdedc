using System.Text;
using Coordinator.Data.Formats;
using CsCheck;

namespace Coordinator.Controllers.Tests.Formats;

public sealed class PlainLineBlockTests
{
    /// <summary>The rule, line by line: what the vectorised pass must agree with.</summary>
    private static int Naive(byte[] block)
    {
        var text = Encoding.Latin1.GetString(block);
        if (text.Contains('\r', StringComparison.Ordinal) || text.Contains('\t', StringComparison.Ordinal))
            return -1;
        var lines = text[..^1].Split('\n');
        return lines.Any(l => l.Length == 0 || l[0] == ' ') ? -1 : lines.Length;
    }

    [Fact]
    public void Counts_lines_and_refuses_exactly_the_blocks_with_a_line_that_is_not_plain()
    {
        // Mostly ordinary bytes so that plain blocks of every length (across the 32-byte vector steps) are common.
        var alphabet = Gen.Frequency((40, Gen.Const((byte)'a')), (6, Gen.Const((byte)'\n')), (3, Gen.Const((byte)' ')),
            (1, Gen.Const((byte)'\t')), (1, Gen.Const((byte)'\r')), (3, Gen.Const((byte)'{')));
        alphabet.Array[0, 300].Select(b => b.Append((byte)'\n').ToArray())
            .Sample(block => Assert.Equal(Naive(block), PlainLineBlock.CountPlainLines(block)), iter: 20_000);
    }

    [Theory]
    [InlineData("{\"a\":1}\n{\"b\":2}\n", 2)]
    [InlineData("{\"a\":1}\n\n{\"b\":2}\n", -1)]
    [InlineData("{\"a\":1}\n {\"b\":2}\n", -1)]
    [InlineData("{\"a\":1}\r\n", -1)]
    [InlineData(" {\"a\":1}\n", -1)]
    [InlineData("{\"a\":\"x y\"}\n", 1)]
    public void Known_blocks(string block, int expected) =>
        Assert.Equal(expected, PlainLineBlock.CountPlainLines(Encoding.UTF8.GetBytes(block)));

    [Fact]
    public void A_long_plain_block_counts_every_line()
    {
        var block = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => $"{{\"id\":{i},\"text\":\"line {i} with spaces\"}}\n")));
        Assert.Equal(5000, PlainLineBlock.CountPlainLines(block));
        block[^40] = (byte)'\t';
        Assert.Equal(-1, PlainLineBlock.CountPlainLines(block));
    }
}
