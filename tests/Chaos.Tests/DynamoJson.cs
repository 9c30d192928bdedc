using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// DynamoDB JSON (what `aws dynamodb put-item --item file://…` takes) to SDK attribute values, so the chaos tests can
/// put the same job items as the end-to-end tests without starting an AWS CLI process per job.
/// </summary>
internal static class DynamoJson
{
    public static Dictionary<string, AttributeValue> ToItem(string json) =>
        JsonNode.Parse(json)!.AsObject().ToDictionary(p => p.Key, p => ToValue(p.Value!.AsObject()));

    private static AttributeValue ToValue(JsonObject value)
    {
        var (type, inner) = value.Single();
        return type switch
        {
            "S" => new AttributeValue { S = inner!.GetValue<string>() },
            "N" => new AttributeValue { N = inner!.GetValue<string>() },
            "BOOL" => new AttributeValue { BOOL = inner!.GetValue<bool>() },
            "L" => new AttributeValue { L = inner!.AsArray().Select(v => ToValue(v!.AsObject())).ToList() },
            "M" => new AttributeValue { M = inner!.AsObject().ToDictionary(p => p.Key, p => ToValue(p.Value!.AsObject())) },
            _ => throw new ArgumentException($"DynamoDB JSON type {type} is not used by the chaos tests"),
        };
    }
}
