using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Corpus.Tests.Cases;

/// <summary>
/// DynamoDB attribute types that do not fit the v1 schema (a number written as S, a map as L, sets, binary, NULL,
/// unparseable numbers): phase Invalid, each error naming the attribute path, the type expected and the type given.
/// </summary>
public static class ItemTypeCases
{
    public const string Category = "item-types";

    private static CorpusCase Case(string name, string error, Action<System.Text.Json.Nodes.JsonObject, CaseContext> edit) =>
        new(name, Category, "Invalid", SpecCases.Invalid(error)) { Item = edit };

    public static IEnumerable<CorpusCase> All() =>
    [
        Case("item-number-as-s", "spec.batching.maxRecords: expected a number (N), got S \"ten\"",
            (i, _) => Section(i, "batching")["maxRecords"] = S("ten")),
        Case("item-string-as-n", "spec.input.uri: expected a string (S), got N 5", (i, _) => Section(i, "input")["uri"] = N(5)),
        Case("item-section-as-s", "spec.batching: expected a map (M), got S \"maxRecords=10\"",
            (i, _) => Spec(i)["batching"] = S("maxRecords=10")),
        Case("item-argv-as-s", "spec.handler.command: expected a list of strings (argv) (L), got S \"cat -n\"",
            (i, _) => Section(i, "handler")["command"] = S("cat -n")),
        Case("item-argv-as-string-set", "spec.handler.command: expected a list of strings (argv) (L), got a set (SS): a set has no order, so write the list as L",
            (i, _) => Section(i, "handler")["command"] = new System.Text.Json.Nodes.JsonObject { ["SS"] = new System.Text.Json.Nodes.JsonArray("cat", "-n") }),
        Case("item-argv-element-as-n", "spec.handler.command[1]: expected a string (S), got N 3",
            (i, _) => Section(i, "handler")["command"] = L(S("cat"), N(3))),
        Case("item-bool-as-s", "spec.suspend: expected true or false (BOOL), got S \"true\"", (i, _) => Spec(i)["suspend"] = S("true")),
        Case("item-number-as-bool", "spec.slurm.maxConcurrent: expected a number (N), got BOOL true",
            (i, _) => Section(i, "slurm")["maxConcurrent"] = B(true)),
        Case("item-fractional-n", "spec.batching.maxRecords: expected a whole number, got 2.5",
            (i, _) => Section(i, "batching")["maxRecords"] = NRaw("2.5")),
        Case("item-huge-n", "spec.slurm.maxConcurrent: is too large, got 99999999999999999999",
            (i, _) => Section(i, "slurm")["maxConcurrent"] = NRaw("99999999999999999999")),
        Case("item-null-uri", "spec.input.uri: is required",
            (i, _) => Section(i, "input")["uri"] = new System.Text.Json.Nodes.JsonObject { ["NULL"] = true }),
        Case("item-binary-attribute", "spec.suspend: binary attributes (B, BS) are not allowed in a job item",
            (i, _) => Spec(i)["suspend"] = new System.Text.Json.Nodes.JsonObject { ["B"] = "AQ==" }),
        Case("item-spec-as-l", "spec: expected a map (M), got L", (i, _) => i["spec"] = L()),
        Case("item-missing-spec", "spec: is required: a map (M), or specYaml as a YAML string (S)", (i, _) => i.Remove("spec")),
        Case("item-specyaml-as-m", "specYaml: expected a YAML string (S), got M", (i, _) =>
        {
            i.Remove("spec");
            i["specYaml"] = M();
        }),
        Case("item-labels-as-l", "labels: expected a map of strings (M), got a list (L)", (i, _) => i["labels"] = L()),
        Case("item-unknown-kind", "kind: must be \"Job\" or \"JobTemplate\", got S \"Pod\"", (i, _) => i["kind"] = S("Pod")),
        Case("item-user-written-status", "status.phase: expected one of Pending, Invalid, Partitioning, Dispatching, Running, Suspended, Aggregating, Succeeded, Failed, Cancelled, got S \"Exploded\"",
            (i, _) => i["status"] = M(("phase", S("Exploded")))),
        Case("item-env-value-as-n", "spec.handler.env.MODEL: expected a string (S), got N 1",
            (i, _) => Section(i, "handler")["env"] = M(("MODEL", N(1)))),
    ];
}
