using System.Globalization;

namespace Coordinator.Model.Units;

/// <summary>
/// Sizes as users write them: a bare number of bytes, or a number with a unit. Binary units (1024) follow Slurm,
/// which HPC users know: <c>k</c>/<c>K</c>/<c>Ki</c>/<c>KiB</c>, <c>M</c>/<c>Mi</c>/<c>MiB</c>, <c>G</c>, <c>T</c>, <c>P</c>.
/// Decimal units (1000) must be spelled with a B: <c>kB</c>/<c>KB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c>, <c>PB</c>.
/// Fractions are allowed when they come to whole bytes (<c>1.5GiB</c>). <see cref="Format"/> writes the largest
/// exact binary unit (<c>64MiB</c>) or plain bytes, so <c>Parse(Format(x)) == x</c>.
/// </summary>
public static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] FormatUnits =
    [
        ("PiB", 1L << 50),
        ("TiB", 1L << 40),
        ("GiB", 1L << 30),
        ("MiB", 1L << 20),
        ("KiB", 1L << 10),
    ];

    public static bool TryParse(string? text, out long bytes, out string error)
    {
        bytes = 0;
        error = "";
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            error = "expected a size such as 64MiB, 2G or 512k, got an empty string";
            return false;
        }
        if (s.StartsWith('-'))
        {
            error = $"must not be negative, got \"{text}\"";
            return false;
        }
        var split = 0;
        while (split < s.Length && (char.IsAsciiDigit(s[split]) || s[split] == '.'))
        {
            split++;
        }
        var number = s[..split];
        var unit = s[split..].Trim();
        var factor = UnitFactor(unit);
        if (number.Length == 0 || factor is null
            || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            error = $"expected a size such as 64MiB, 2G or 512k (units k, M, G, T, P = 1024; kB, MB, GB, TB, PB = 1000), got \"{text}\"";
            return false;
        }
        return FromDecimal(n * factor.Value, text!, out bytes, out error);
    }

    public static long Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>A bare number is bytes; it must be whole and not negative.</summary>
    public static bool TryFromNumber(decimal number, out long bytes, out string error) =>
        FromDecimal(number, number.ToString(CultureInfo.InvariantCulture), out bytes, out error);

    public static string Format(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        foreach (var (suffix, factor) in FormatUnits)
        {
            if (bytes >= factor && bytes % factor == 0)
            {
                return (bytes / factor).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    private static bool FromDecimal(decimal value, string text, out long bytes, out string error)
    {
        bytes = 0;
        error = "";
        if (value < 0)
        {
            error = $"must not be negative, got {text}";
            return false;
        }
        if (value > long.MaxValue)
        {
            error = $"is too large, got \"{text}\"";
            return false;
        }
        if (decimal.Truncate(value) != value)
        {
            error = $"must be a whole number of bytes, got \"{text}\"";
            return false;
        }
        bytes = (long)value;
        return true;
    }

    private static decimal? UnitFactor(string unit) => unit switch
    {
        "" or "B" or "b" => 1m,
        "k" or "K" or "Ki" or "KiB" => 1024m,
        "M" or "Mi" or "MiB" => 1024m * 1024,
        "G" or "Gi" or "GiB" => 1024m * 1024 * 1024,
        "T" or "Ti" or "TiB" => 1024m * 1024 * 1024 * 1024,
        "P" or "Pi" or "PiB" => 1024m * 1024 * 1024 * 1024 * 1024,
        "kB" or "KB" => 1000m,
        "MB" => 1000m * 1000,
        "GB" => 1000m * 1000 * 1000,
        "TB" => 1000m * 1000 * 1000 * 1000,
        "PB" => 1000m * 1000 * 1000 * 1000 * 1000,
        _ => null,
    };
}
