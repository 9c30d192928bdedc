using Coordinator.Model.Units;
using CsCheck;

namespace Coordinator.Model.Tests.Units;

public class ByteSizeTests
{
    [Theory]
    [InlineData("64MiB", 64L << 20)]
    [InlineData("2G", 2L << 30)]
    [InlineData("512k", 512L << 10)]
    [InlineData("512K", 512L << 10)]
    [InlineData("1000", 1000)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("10MB", 10_000_000)]
    [InlineData("1kB", 1000)]
    [InlineData("3Ti", 3L << 40)]
    [InlineData("7 MiB", 7L << 20)]
    [InlineData("12B", 12)]
    public void Parses_binary_and_decimal_units_and_bare_bytes(string text, long bytes) =>
        Assert.Equal(bytes, ByteSize.Parse(text));

    [Theory]
    [InlineData("-1G", "must not be negative, got \"-1G\"")]
    [InlineData("1.5", "must be a whole number of bytes, got \"1.5\"")]
    [InlineData("2 gigs", "expected a size such as 64MiB, 2G or 512k (units k, M, G, T, P = 1024; kB, MB, GB, TB, PB = 1000), got \"2 gigs\"")]
    [InlineData("G", "expected a size such as 64MiB, 2G or 512k (units k, M, G, T, P = 1024; kB, MB, GB, TB, PB = 1000), got \"G\"")]
    [InlineData("99999999P", "is too large, got \"99999999P\"")]
    public void Rejects_bad_text_with_a_message_saying_why(string text, string message)
    {
        Assert.False(ByteSize.TryParse(text, out _, out var error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData(64L << 20, "64MiB")]
    [InlineData(1000, "1000")]
    [InlineData(1024, "1KiB")]
    [InlineData(3L << 40, "3TiB")]
    public void Formats_the_largest_exact_binary_unit(long bytes, string text) => Assert.Equal(text, ByteSize.Format(bytes));

    [Fact]
    public void Format_then_parse_is_the_identity() =>
        Gen.Long[0, long.MaxValue].Sample(bytes => Assert.Equal(bytes, ByteSize.Parse(ByteSize.Format(bytes))));
}
