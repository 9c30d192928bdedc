using Coordinator.Model.Units;
using CsCheck;

namespace Coordinator.Model.Tests.Units;

public class DurationTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("24h", 86400)]
    [InlineData("7d", 604800)]
    [InlineData("1h30m", 5400)]
    [InlineData("600", 600)]
    [InlineData("1.5", 1.5)]
    [InlineData("0.5s", 0.5)]
    [InlineData("250ms", 0.25)]
    [InlineData(" 5m ", 300)]
    public void Parses_units_compounds_and_bare_seconds(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Duration.Parse(text));

    [Theory]
    [InlineData("", "expected a duration such as 90s, 10m, 24h or 7d, got an empty string")]
    [InlineData("-5m", "must not be negative, got \"-5m\"")]
    [InlineData("5 minutes", "expected a duration such as 90s, 10m, 24h, 7d or 1h30m (units ms, s, m, h, d), got \"5 minutes\"")]
    [InlineData("m", "expected a duration such as 90s, 10m, 24h, 7d or 1h30m (units ms, s, m, h, d), got \"m\"")]
    [InlineData("10w", "expected a duration such as 90s, 10m, 24h, 7d or 1h30m (units ms, s, m, h, d), got \"10w\"")]
    [InlineData("99999999999d", "is too large, got \"99999999999d\"")]
    [InlineData("99999999999999999999999d", "is too large, got \"99999999999999999999999d\"")] // found by YamlLoaderFuzzTests: OverflowException
    [InlineData("1d79228162514264337593543950335ms", "is too large, got \"1d79228162514264337593543950335ms\"")]
    public void Rejects_bad_text_with_a_message_saying_why(string text, string message)
    {
        Assert.False(Duration.TryParse(text, out _, out var error));
        Assert.Equal(message, error);
    }

    /// <summary>Found by DecoderFuzzTests (soak, seed bmo6Y1-91-41): a huge bare number escaped as OverflowException.</summary>
    [Theory]
    [InlineData("79228162514264337593543950335")]
    [InlineData("10000000000000000000000")]
    public void A_bare_number_of_seconds_too_large_for_the_arithmetic_is_refused_not_thrown(string seconds)
    {
        Assert.False(Duration.TryFromSeconds(decimal.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture), out _, out var error));
        Assert.Equal($"is too large, got {seconds}", error);
    }

    [Theory]
    [InlineData(90, "1m30s")]
    [InlineData(600, "10m")]
    [InlineData(0, "0s")]
    [InlineData(86400 * 7, "7d")]
    [InlineData(0.25, "250ms")]
    public void Formats_the_shortest_exact_compound(double seconds, string text) =>
        Assert.Equal(text, Duration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Format_then_parse_is_the_identity_for_whole_milliseconds() =>
        Gen.Long[0, 100L * 365 * 24 * 3600 * 1000].Sample(ms =>
            Assert.Equal(TimeSpan.FromMilliseconds(ms), Duration.Parse(Duration.Format(TimeSpan.FromMilliseconds(ms)))));
}
