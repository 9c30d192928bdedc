using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;

namespace Coordinator.Testing.Items;

/// <summary>
/// DynamoDB JSON (what `aws dynamodb put-item --item file://…` takes) to SDK attribute values, so a test can
/// put the job items of <see cref="JobItems"/> without starting an AWS CLI process per job.
/// </summary>
public static class DynamoJson
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
            _ => throw new ArgumentException($"DynamoDB JSON type {type} is not used by these tests"),
        };
    }
}
