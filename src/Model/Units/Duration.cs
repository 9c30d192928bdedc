using System.Globalization;
using System.Text;

namespace Coordinator.Model.Units;

/// <summary>
/// Durations as users write them: <c>90s</c>, <c>10m</c>, <c>24h</c>, <c>7d</c>, <c>500ms</c>, compounds such as
/// <c>1h30m</c>, or a bare number of seconds (<c>600</c>, <c>1.5</c>). Negative durations are rejected: every
/// duration in the spec is a timeout, a delay or a lifetime. <see cref="Format"/> writes the shortest exact
/// compound form, so <c>Parse(Format(x)) == x</c>.
/// </summary>
public static class Duration
{
    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("d", TimeSpan.TicksPerDay),
        ("h", TimeSpan.TicksPerHour),
        ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond),
        ("ms", TimeSpan.TicksPerMillisecond),
    ];

    /// <summary>Parses, or returns false with a message saying what was wrong.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            error = "expected a duration such as 90s, 10m, 24h or 7d, got an empty string";
            return false;
        }
        if (s.StartsWith('-'))
        {
            error = $"must not be negative, got \"{text}\"";
            return false;
        }
        if (decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return FromSeconds(seconds, text!, out value, out error);
        }
        decimal totalTicks = 0;
        var pos = 0;
        while (pos < s.Length)
        {
            var start = pos;
            while (pos < s.Length && (char.IsAsciiDigit(s[pos]) || s[pos] == '.'))
            {
                pos++;
            }
            var unitStart = pos;
            while (pos < s.Length && char.IsAsciiLetter(s[pos]))
            {
                pos++;
            }
            var number = s[start..unitStart];
            var unit = s[unitStart..pos];
            var ticks = UnitTicks(unit);
            if (number.Length == 0 || ticks is null
                || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            {
                error = $"expected a duration such as 90s, 10m, 24h, 7d or 1h30m (units ms, s, m, h, d), got \"{text}\"";
                return false;
            }
            // Compared before the arithmetic: number × unit (and the sum) can overflow decimal itself.
            if (n > (TimeSpan.MaxValue.Ticks - totalTicks) / ticks.Value)
            {
                error = $"is too large, got \"{text}\"";
                return false;
            }
            totalTicks += n * ticks.Value;
            if (totalTicks > TimeSpan.MaxValue.Ticks)
            {
                error = $"is too large, got \"{text}\"";
                return false;
            }
        }
        value = new TimeSpan((long)decimal.Round(totalTicks));
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/> with the same message TryParse gives.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>A bare number is seconds.</summary>
    public static bool TryFromSeconds(decimal seconds, out TimeSpan value, out string error) =>
        FromSeconds(seconds, seconds.ToString(CultureInfo.InvariantCulture), out value, out error);

    /// <summary>The shortest exact compound form, e.g. <c>1h30m</c>; zero is <c>0s</c>. Sub-millisecond parts are dropped.</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "durations are never negative");
        }
        var remaining = value.Ticks;
        var sb = new StringBuilder();
        foreach (var (unit, ticks) in Units)
        {
            var count = remaining / ticks;
            if (count > 0)
            {
                sb.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
                remaining -= count * ticks;
            }
        }
        return sb.Length == 0 ? "0s" : sb.ToString();
    }

    private static bool FromSeconds(decimal seconds, string text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        if (seconds < 0)
        {
            error = $"must not be negative, got {text}";
            return false;
        }
        // Compared before multiplying: seconds × ticks-per-second overflows decimal itself near its maximum.
        if (seconds > (decimal)TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerSecond)
        {
            error = $"is too large, got {text}";
            return false;
        }
        var ticks = seconds * TimeSpan.TicksPerSecond;
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            error = $"is too large, got {text}";
            return false;
        }
        value = new TimeSpan((long)decimal.Round(ticks));
        return true;
    }

    private static long? UnitTicks(string unit) => unit switch
    {
        "ms" => TimeSpan.TicksPerMillisecond,
        "s" => TimeSpan.TicksPerSecond,
        "m" => TimeSpan.TicksPerMinute,
        "h" => TimeSpan.TicksPerHour,
        "d" => TimeSpan.TicksPerDay,
        _ => null,
    };
}
