using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Coordinator.Model.Errors;

namespace Coordinator.Aws.Items;

/// <summary>
/// Typed reads of daemon-written attributes (status, tasks). A missing attribute gives the default; a present one
/// of the wrong type throws <see cref="ItemFormatException"/> naming the attribute, because these items are only
/// ever written by Coordinator and a wrong shape means corruption or a version mismatch.
/// </summary>
public sealed class AttributeReader(Dictionary<string, AttributeValue> map, string path)
{
    public bool Has(string key) => map.TryGetValue(key, out var v) && v.NULL != true;

    public string? OptionalString(string key)
    {
        if (!Has(key))
        {
            return null;
        }
        return map[key].S ?? throw Wrong(key, "a string (S)");
    }

    public string String(string key, string fallback = "") => OptionalString(key) ?? fallback;

    public string RequiredString(string key) => OptionalString(key) ?? throw Missing(key);

    public long? OptionalLong(string key)
    {
        if (!Has(key))
        {
            return null;
        }
        var n = map[key].N ?? throw Wrong(key, "a number (N)");
        return long.TryParse(n, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ItemFormatException($"{Path(key)}: expected a whole number, got N {n}");
    }

    public long Long(string key, long fallback = 0) => OptionalLong(key) ?? fallback;

    public int Int(string key, int fallback = 0) => OptionalInt(key) ?? fallback;

    public int? OptionalInt(string key)
    {
        var l = OptionalLong(key);
        return l is null ? null
            : l is >= int.MinValue and <= int.MaxValue ? (int)l
            : throw new ItemFormatException($"{Path(key)}: {l} is out of range");
    }

    public int RequiredInt(string key) => OptionalInt(key) ?? throw Missing(key);

    public long RequiredLong(string key) => OptionalLong(key) ?? throw Missing(key);

    public DateTimeOffset? OptionalTime(string key)
    {
        var s = OptionalString(key);
        if (s is null)
        {
            return null;
        }
        return ItemTime.TryParse(s, out var t) ? t : throw new ItemFormatException($"{Path(key)}: expected an ISO-8601 time, got S \"{s}\"");
    }

    public TEnum Enum<TEnum>(string key, TEnum fallback)
        where TEnum : struct, Enum
    {
        var s = OptionalString(key);
        if (s is null)
        {
            return fallback;
        }
        return System.Enum.TryParse<TEnum>(s, ignoreCase: false, out var value) && System.Enum.IsDefined(value)
            ? value
            : throw new ItemFormatException($"{Path(key)}: expected one of {string.Join(", ", System.Enum.GetNames<TEnum>())}, got S \"{s}\"");
    }

    public AttributeReader? OptionalMap(string key)
    {
        if (!Has(key))
        {
            return null;
        }
        var m = map[key].M ?? throw Wrong(key, "a map (M)");
        return new AttributeReader(m, Path(key));
    }

    public IEnumerable<AttributeReader> MapList(string key)
    {
        if (!Has(key))
        {
            yield break;
        }
        var list = map[key].L ?? throw Wrong(key, "a list (L)");
        for (var i = 0; i < list.Count; i++)
        {
            var element = list[i].M ?? throw new ItemFormatException($"{Path(key)}[{i}]: expected a map (M)");
            yield return new AttributeReader(element, $"{Path(key)}[{i}]");
        }
    }

    private string Path(string key) => path.Length == 0 ? key : $"{path}.{key}";

    private ItemFormatException Wrong(string key, string expected) =>
        new($"{Path(key)}: expected {expected}, got {Describe(map[key])}");

    private ItemFormatException Missing(string key) => new($"{Path(key)}: is required");

    /// <summary>DynamoDB's type code of a value (S, N, BOOL, M, L, NULL, SS, NS, BS, B), as attribute_type takes it.</summary>
    internal static string TypeCode(AttributeValue v) =>
        v.S is not null ? "S"
        : v.N is not null ? "N"
        : v.BOOL is not null ? "BOOL"
        : v.M is not null ? "M"
        : v.L is not null ? "L"
        : v.NULL == true ? "NULL"
        : v.SS is not null ? "SS"
        : v.NS is not null ? "NS"
        : v.BS is not null ? "BS"
        : "B";

    internal static string Describe(AttributeValue v) =>
        v.S is not null ? $"S \"{v.S}\""
        : v.N is not null ? $"N {v.N}"
        : v.BOOL is not null ? $"BOOL {v.BOOL.Value.ToString().ToLowerInvariant()}"
        : v.M is not null ? "M"
        : v.L is not null ? "L"
        : v.NULL == true ? "NULL"
        : v.SS is not null ? "SS"
        : v.NS is not null ? "NS"
        : "B";
}
