using System.Text.Json.Nodes;

namespace Coordinator.EndToEnd.Tests;

/// <summary>Job items as users write them for `aws dynamodb put-item --item file://job.json`, built from the repo's examples.</summary>
internal static class JobItems
{
    public static string ExamplesDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var examples = Path.Combine(dir.FullName, "examples");
                if (File.Exists(Path.Combine(examples, "wordcount", "job.json")))
                {
                    return examples;
                }
            }
            throw new DirectoryNotFoundException("examples/wordcount/job.json not found above the test directory");
        }
    }

    /// <summary>
    /// examples/wordcount/job.json with this test's name, bucket and local handler path (the example names the handler
    /// as installed on compute nodes, /opt/handlers/wc.py), then <paramref name="edit"/> on its spec map.
    /// </summary>
    public static string Wordcount(string name, string bucket, Action<JsonObject>? edit = null)
    {
        var item = JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDirectory, "wordcount", "job.json")))!.AsObject();
        item["name"] = S(name);
        var spec = item["spec"]!["M"]!.AsObject();
        spec["input"]!["M"]!["uri"] = S($"s3://{bucket}/in/{name}/");
        spec["output"]!["M"]!["uri"] = S($"s3://{bucket}/out/{name}/");
        spec["batching"]!["M"]!["maxRecords"] = N(25);
        spec["handler"]!["M"]!["command"] = L(S("python3"), S(Path.Combine(ExamplesDirectory, "wordcount", "wc.py")));
        spec["retry"]!["M"]!["backoff"] = M(("base", S("1s")), ("max", S("2s")));
        spec.Remove("ttlAfterFinished");
        edit?.Invoke(spec);
        return item.ToJsonString();
    }

    public static JsonObject S(string value) => new() { ["S"] = value };
    public static JsonObject N(long value) => new() { ["N"] = value.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    public static JsonObject B(bool value) => new() { ["BOOL"] = value };
    public static JsonObject L(params JsonObject[] items) => new() { ["L"] = new JsonArray(items) };

    public static JsonObject M(params (string Name, JsonObject Value)[] fields)
    {
        var map = new JsonObject();
        foreach (var (name, value) in fields)
        {
            map[name] = value;
        }
        return new JsonObject { ["M"] = map };
    }

    /// <summary>JSONL records for the wordcount handler: {"id": i, "text": ...}.</summary>
    public static string WordcountInput(int records) => string.Concat(Enumerable.Range(0, records)
        .Select(i => $"{{\"id\": {i}, \"text\": \"the quick brown fox {i}\"}}\n"));
}
