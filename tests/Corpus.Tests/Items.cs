using System.Globalization;
using System.Text.Json.Nodes;

namespace Coordinator.Corpus.Tests;

/// <summary>
/// DynamoDB JSON for job items, as users write them for `aws dynamodb put-item --item file://job.json`, and the
/// known-good base every corpus case edits: JSONL from the case's input prefix, batches of 10 records, `cat` as the
/// handler, one attempt, output beside the input.
/// </summary>
public static class Items
{
    public static JsonObject Base(CaseContext c) => new()
    {
        ["name"] = S(c.Job),
        ["spec"] = M(
            ("input", M(("uri", S(c.InputUri)), ("format", S("jsonl")))),
            ("batching", M(("maxRecords", N(10)))),
            ("handler", M(("command", L(S("cat"))), ("timeout", S("2m")))),
            ("output", M(("uri", S(c.OutputUri)))),
            ("retry", M(("maxAttempts", N(1)), ("backoff", M(("base", S("1s")), ("max", S("2s"))))))),
    };

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

    /// <summary>The base spec as YAML (for the specYaml cases), with <paramref name="extra"/> appended.</summary>
    public static string BaseYaml(CaseContext c, string extra = "") =>
        $"input:\n  uri: {c.InputUri}\n  format: jsonl\nbatching:\n  maxRecords: 10\nhandler:\n  command: [cat]\noutput:\n  uri: {c.OutputUri}\n{extra}";

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

    /// <summary>`count` JSONL records {"id": i, "text": "..."}.</summary>
    public static byte[] Jsonl(int count, int from = 0) => System.Text.Encoding.UTF8.GetBytes(string.Concat(
        Enumerable.Range(from, count).Select(i => $"{{\"id\": {i}, \"text\": \"the quick brown fox {i}\"}}\n")));

    public static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);
}
