using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.Items;

namespace Coordinator.Aws.Tests.Items;

/// <summary>Malformed job items (as written by put-item), each with the exact errors Decode records. Decode never throws.</summary>
public class BadItemInputTests
{
    private static Dictionary<string, AttributeValue> Valid() => new()
    {
        ["name"] = new() { S = "good-job" },
        ["spec"] = new()
        {
            M = new()
            {
                ["input"] = new() { M = new() { ["uri"] = new() { S = "s3://data-in/x/" } } },
                ["batching"] = new() { M = new() { ["maxRecords"] = new() { N = "10" } } },
                ["handler"] = new() { M = new() { ["command"] = new() { L = [new() { S = "python3" }, new() { S = "h.py" }] } } },
                ["output"] = new() { M = new() { ["uri"] = new() { S = "s3://data-out/x/" } } },
            },
        },
    };

    private static Dictionary<string, AttributeValue> SpecMap(Dictionary<string, AttributeValue> item) => item["spec"].M;

    public static TheoryData<string, Action<Dictionary<string, AttributeValue>>, string[]> Cases => new()
    {
        { "number as S", i => SpecMap(i)["batching"].M["maxRecords"] = new() { S = "ten" },
            ["spec.batching.maxRecords: expected a number (N), got S \"ten\""] },
        { "string as N", i => SpecMap(i)["input"].M["uri"] = new() { N = "5" },
            ["spec.input.uri: expected a string (S), got N 5"] },
        { "section as S", i => SpecMap(i)["batching"] = new() { S = "maxRecords=10" },
            ["spec.batching: expected a map (M), got S \"maxRecords=10\""] },
        { "argv as S", i => SpecMap(i)["handler"].M["command"] = new() { S = "python3 h.py" },
            ["spec.handler.command: expected a list of strings (argv) (L), got S \"python3 h.py\""] },
        { "argv as a string set (unordered)", i => SpecMap(i)["handler"].M["command"] = new() { SS = ["python3", "h.py"] },
            ["spec.handler.command: expected a list of strings (argv) (L), got a set (SS): a set has no order, so write the list as L"] },
        { "bool as S", i => SpecMap(i)["suspend"] = new() { S = "true" },
            ["spec.suspend: expected true or false (BOOL), got S \"true\""] },
        { "argv element as N", i => SpecMap(i)["handler"].M["command"].L[1] = new() { N = "3" },
            ["spec.handler.command[1]: expected a string (S), got N 3"] },
        { "spec as L", i => i["spec"] = new() { L = [] },
            ["spec: expected a map (M), got L"] },
        { "name as N", i => i["name"] = new() { N = "7" },
            ["name: expected a string (S), got N 7"] },
        { "missing name", i => i.Remove("name"),
            ["name: is required"] },
        { "name with traversal", i => i["name"] = new() { S = "../jobs" },
            ["name: must contain only lowercase letters, digits and '-', got \"../jobs\""] },
        { "missing spec", i => i.Remove("spec"),
            ["spec: is required: a map (M), or specYaml as a YAML string (S)"] },
        { "spec and specYaml", i => i["specYaml"] = new() { S = "input: {}" },
            ["spec: give either spec (a map) or specYaml (a string), not both"] },
        { "specYaml not YAML", i => { i.Remove("spec"); i["specYaml"] = new() { S = "input: [unclosed\nbatching: {maxRecords: 1}" }; },
            ["spec (specYaml line 1, col 8): YAML syntax error: this [ or { is never closed"] },
        { "specYaml as M", i => { i["specYaml"] = new() { M = [] }; i.Remove("spec"); },
            ["specYaml: expected a YAML string (S), got M"] },
        { "specYaml with an unknown field", i => { i.Remove("spec"); i["specYaml"] = new() { S = "input: {uri: \"s3://data-in/x/\"}\nbatching: {maxRecods: 10}\nhandler: {command: [a]}\noutput: {uri: \"s3://data-out/x/\"}\n" }; },
            ["spec.batching.maxRecods (specYaml line 2, col 12): unknown field \"maxRecods\"; did you mean \"maxRecords\"?"] },
        { "binary attribute", i => SpecMap(i)["suspend"] = new() { B = new MemoryStream([1]) },
            ["spec.suspend: binary attributes (B, BS) are not allowed in a job item"] },
        { "unknown kind", i => i["kind"] = new() { S = "Pod" },
            ["kind: must be \"Job\" or \"JobTemplate\", got S \"Pod\""] },
        { "template without prefix", i => i["kind"] = new() { S = "JobTemplate" },
            ["name: a JobTemplate's name must start with \"template:\", got \"good-job\""] },
        { "labels as L", i => i["labels"] = new() { L = [] },
            ["labels: expected a map of strings (M), got a list (L)"] },
        { "version as S", i => i["version"] = new() { S = "3" },
            ["version: expected a number (N), got S \"3\""] },
        { "status phase unknown", i => i["status"] = new() { M = new() { ["phase"] = new() { S = "Exploded" } } },
            ["status.phase: expected one of Pending, Invalid, Partitioning, Dispatching, Running, Suspended, Aggregating, Succeeded, Failed, Cancelled, got S \"Exploded\""] },
        { "two problems at once", i => { SpecMap(i)["batching"].M["maxRecords"] = new() { S = "x" }; SpecMap(i)["slurm"] = new() { M = new() { ["maxConcurent"] = new() { N = "3" } } }; },
            ["spec.batching.maxRecords: expected a number (N), got S \"x\"", "spec.slurm.maxConcurent: unknown field \"maxConcurent\"; did you mean \"maxConcurrent\"?"] },
        { "invalid value", i => SpecMap(i)["slurm"] = new() { M = new() { ["maxConcurrent"] = new() { N = "0" } } },
            ["spec.slurm.maxConcurrent: must be between 1 and 100000, got 0"] },
    };

    [Fact]
    public void The_valid_base_item_has_no_errors() => Assert.Empty(JobItemCodec.Decode(Valid()).DecodeErrors);

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_malformed_item_is_decoded_without_throwing_and_every_problem_is_recorded(
        string because, Action<Dictionary<string, AttributeValue>> breakIt, string[] expected)
    {
        var item = Valid();
        breakIt(item);

        var job = JobItemCodec.Decode(item);

        Assert.True(expected.SequenceEqual(job.DecodeErrors),
            $"{because}:\nexpected:\n  {string.Join("\n  ", expected)}\nactual:\n  {string.Join("\n  ", job.DecodeErrors)}");
    }
}
