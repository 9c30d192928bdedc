using System.Text.Json;
using Amazon.DynamoDBv2.Model;

namespace Coordinator.Aws.Streams;

/// <summary>
/// Reads DynamoDB's AttributeValue JSON (<c>{"S":"x"}</c>, <c>{"N":"1"}</c>, <c>{"M":{...}}</c>, ...) into the SDK's
/// <see cref="AttributeValue"/>. Stream records carry images in exactly this form. Unknown or malformed values
/// throw <see cref="FormatException"/> naming the attribute path, so the feed can log and skip the record.
/// </summary>
public static class AttributeValueJson
{
    public static Dictionary<string, AttributeValue> ReadMap(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: expected an object of attributes, got {element.ValueKind}");
        }
        var map = new Dictionary<string, AttributeValue>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            map[property.Name] = Read(property.Value, $"{path}.{property.Name}");
        }
        return map;
    }

    public static AttributeValue Read(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{path}: expected an AttributeValue object, got {element.ValueKind}");
        }
        using var properties = element.EnumerateObject();
        if (!properties.MoveNext())
        {
            throw new FormatException($"{path}: empty AttributeValue");
        }
        var (type, value) = (properties.Current.Name, properties.Current.Value);
        return type switch
        {
            "S" => new AttributeValue { S = value.GetString() },
            "N" => new AttributeValue { N = value.GetString() },
            "B" => new AttributeValue { B = new MemoryStream(value.GetBytesFromBase64()) },
            "BOOL" => new AttributeValue { BOOL = value.GetBoolean() },
            "NULL" => new AttributeValue { NULL = value.GetBoolean() },
            "SS" => new AttributeValue { SS = value.EnumerateArray().Select(v => v.GetString()!).ToList() },
            "NS" => new AttributeValue { NS = value.EnumerateArray().Select(v => v.GetString()!).ToList() },
            "BS" => new AttributeValue { BS = value.EnumerateArray().Select(v => new MemoryStream(v.GetBytesFromBase64())).ToList() },
            "L" => new AttributeValue { L = value.EnumerateArray().Select((v, i) => Read(v, $"{path}[{i}]")).ToList() },
            "M" => new AttributeValue { M = ReadMap(value, path) },
            _ => throw new FormatException($"{path}: unknown AttributeValue type \"{type}\""),
        };
    }
}
