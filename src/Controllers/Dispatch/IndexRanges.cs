using System.Globalization;
using System.Text;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// Index range strings such as "0-3,7" — the form Slurm's --array takes and the form status.completedIndexes shows.
/// One parser and one formatter so the two never disagree.
/// </summary>
public static class IndexRanges
{
    /// <summary>
    /// Parse a range string into sorted, distinct indices. Empty or whitespace means no indices.
    /// Throws <see cref="FormatException"/> naming the offending part and its position.
    /// </summary>
    public static IReadOnlyList<int> Parse(string? ranges)
    {
        var result = new SortedSet<int>();
        if (string.IsNullOrWhiteSpace(ranges))
        {
            return [];
        }
        var position = 0;
        foreach (var rawPart in ranges.Split(','))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                throw new FormatException($"index ranges \"{ranges}\": empty part at character {position}");
            }
            var dash = part.IndexOf('-', 1);
            if (dash < 0)
            {
                result.Add(ParseIndex(part, ranges, position));
            }
            else
            {
                var low = ParseIndex(part[..dash], ranges, position);
                var high = ParseIndex(part[(dash + 1)..], ranges, position + dash + 1);
                if (high < low)
                {
                    throw new FormatException($"index ranges \"{ranges}\": range \"{part}\" at character {position} ends before it starts");
                }
                for (var i = low; i <= high; i++)
                {
                    result.Add(i);
                }
            }
            position += rawPart.Length + 1;
        }
        return [.. result];
    }

    /// <summary>Format indices (any order, duplicates allowed) as the shortest range string, e.g. "0-3,7".</summary>
    public static string Format(IEnumerable<int> indices)
    {
        var sorted = indices.Distinct().Order().ToArray();
        var text = new StringBuilder();
        var i = 0;
        while (i < sorted.Length)
        {
            var start = sorted[i];
            var end = start;
            while (i + 1 < sorted.Length && sorted[i + 1] == end + 1)
            {
                end = sorted[++i];
            }
            if (text.Length > 0)
            {
                text.Append(',');
            }
            text.Append(start.ToString(CultureInfo.InvariantCulture));
            if (end != start)
            {
                text.Append('-').Append(end.ToString(CultureInfo.InvariantCulture));
            }
            i++;
        }
        return text.ToString();
    }

    /// <summary>Number of distinct indices a range string covers.</summary>
    public static long Count(string? ranges) => Parse(ranges).Count;

    private static int ParseIndex(string text, string whole, int position)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException($"index ranges \"{whole}\": \"{text.Trim()}\" at character {position} is not a non-negative integer");
        }
        return value;
    }
}
