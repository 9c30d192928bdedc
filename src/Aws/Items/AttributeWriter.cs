using System.Globalization;
using Amazon.DynamoDBv2.Model;

namespace Coordinator.Aws.Items;

/// <summary>Builds an attribute map, leaving out nulls and empty strings so items stay small and sparse.</summary>
public sealed class AttributeWriter
{
    public Dictionary<string, AttributeValue> Map { get; } = new(StringComparer.Ordinal);

    public AttributeWriter String(string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Map[key] = new AttributeValue { S = value };
        }
        return this;
    }

    public AttributeWriter Number(string key, long? value)
    {
        if (value is { } v)
        {
            Map[key] = new AttributeValue { N = v.ToString(CultureInfo.InvariantCulture) };
        }
        return this;
    }

    public AttributeWriter Time(string key, DateTimeOffset? value) =>
        value is { } v ? String(key, ItemTime.Format(v)) : this;

    public AttributeWriter Enum<TEnum>(string key, TEnum value)
        where TEnum : struct, Enum => String(key, value.ToString());

    public AttributeWriter Nested(string key, AttributeWriter? inner)
    {
        if (inner is not null)
        {
            Map[key] = new AttributeValue { M = inner.Map };
        }
        return this;
    }

    public AttributeWriter List(string key, IEnumerable<AttributeWriter> items)
    {
        Map[key] = new AttributeValue { L = items.Select(i => new AttributeValue { M = i.Map }).ToList() };
        return this;
    }

    public AttributeValue ToAttribute() => new() { M = Map };
}
