using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Coordinator.Testing.Items;

/// <summary>
/// DynamoDB JSON for job items, as users write them for `aws dynamodb put-item --item file://job.json`: the typed
/// value builders (S, N, L, M, …), edits of an item's spec, the repo's wordcount example made runnable here, a
/// known-good `cat` job, and the JSONL records both feed to their handlers.
/// </summary>
public static class JobItems
{
    public static string ExamplesDirectory =>
        RepoFiles.FindUp(Path.Combine("examples", "wordcount", "job.json")) is { } job
            ? Path.GetDirectoryName(Path.GetDirectoryName(job))!
            : throw new DirectoryNotFoundException("examples/wordcount/job.json not found above the test directory");

    /// <summary>
    /// examples/wordcount/job.json with this test's name, bucket and local handler path (the example names the handler
    /// as installed on compute nodes, /opt/handlers/wc.py), then <paramref name="edit"/> on its spec map.
    /// </summary>
    public static string Wordcount(string name, string bucket, Action<JsonObject>? edit = null)
    {
        var item = JsonNode.Parse(File.ReadAllText(Path.Combine(ExamplesDirectory, "wordcount", "job.json")))!.AsObject();
        item["name"] = S(name);
        var spec = Spec(item);
        spec["input"]!["M"]!["uri"] = S($"s3://{bucket}/in/{name}/");
        spec["output"]!["M"]!["uri"] = S($"s3://{bucket}/out/{name}/");
        spec["batching"]!["M"]!["maxRecords"] = N(25);
        spec["handler"]!["M"]!["command"] = L(S("python3"), S(Path.Combine(ExamplesDirectory, "wordcount", "wc.py")));
        spec["retry"]!["M"]!["backoff"] = M(("base", S("1s")), ("max", S("2s")));
        spec.Remove("ttlAfterFinished");
        edit?.Invoke(spec);
        return item.ToJsonString();
    }

    /// <summary>
    /// A known-good job: JSONL from <paramref name="inputUri"/>, batches of 10 records, `cat` as the handler, one
    /// attempt, output to <paramref name="outputUri"/>.
    /// </summary>
    public static JsonObject Base(string job, string inputUri, string outputUri) => new()
    {
        ["name"] = S(job),
        ["spec"] = M(
            ("input", M(("uri", S(inputUri)), ("format", S("jsonl")))),
            ("batching", M(("maxRecords", N(10)))),
            ("handler", M(("command", L(S("cat"))), ("timeout", S("2m")))),
            ("output", M(("uri", S(outputUri)))),
            ("retry", M(("maxAttempts", N(1)), ("backoff", M(("base", S("1s")), ("max", S("2s"))))))),
    };

    /// <summary>The spec of <see cref="Base"/> as YAML (for specYaml items), with <paramref name="extra"/> appended.</summary>
    public static string BaseYaml(string inputUri, string outputUri, string extra = "") =>
        $"input:\n  uri: {inputUri}\n  format: jsonl\nbatching:\n  maxRecords: 10\nhandler:\n  command: [cat]\noutput:\n  uri: {outputUri}\n{extra}";

    /// <summary>The spec map of an item (the object inside "spec": {"M": …}).</summary>
    public static JsonObject Spec(JsonObject item) => item["spec"]!["M"]!.AsObject();

    /// <summary>A section map of the spec (input, batching, handler, …), created empty if absent.</summary>
    public static JsonObject Section(JsonObject item, string name)
    {
        var spec = Spec(item);
        if (spec[name] is null)
        {
            spec[name] = M();
        }
        return spec[name]!["M"]!.AsObject();
    }

    /// <summary>Replaces the spec map with a specYaml string attribute holding <paramref name="yaml"/>.</summary>
    public static void SpecYaml(JsonObject item, string yaml)
    {
        item.Remove("spec");
        item["specYaml"] = S(yaml);
    }

    public static JsonObject S(string value) => new() { ["S"] = value };

    public static JsonObject N(long value) => new() { ["N"] = value.ToString(CultureInfo.InvariantCulture) };

    public static JsonObject NRaw(string value) => new() { ["N"] = value };

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

    /// <summary>JSONL records for the wordcount handler (and `cat`): {"id": i, "text": "the quick brown fox i"}.</summary>
    public static string WordcountInput(int records, int from = 0) => string.Concat(Enumerable.Range(from, records)
        .Select(i => $"{{\"id\": {i}, \"text\": \"the quick brown fox {i}\"}}\n"));

    /// <summary><paramref name="count"/> records of <see cref="WordcountInput"/> as UTF-8 bytes.</summary>
    public static byte[] Jsonl(int count, int from = 0) => Utf8(WordcountInput(count, from));

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
