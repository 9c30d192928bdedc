using System.Globalization;

namespace Coordinator.Aws.Items;

/// <summary>
/// Timestamps in items are ISO-8601 UTC strings with a 'Z' and seven fraction digits, so they sort as strings
/// (usable in key conditions) and survive a round trip exactly.
/// </summary>
public static class ItemTime
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
}
