using static Coordinator.Corpus.Tests.CaseItems;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Corpus.Tests.Cases;

/// <summary>
/// Specs given as a specYaml string attribute (the convenience form of the item): syntax errors and type errors,
/// each named by field path and by line and column inside specYaml.
/// </summary>
public static class YamlCases
{
    public const string Category = "yaml";

    private static CorpusCase Case(string name, string error, Func<CaseContext, string> yaml) =>
        new(name, Category, "Invalid", SpecCases.Invalid(error)) { Item = (i, c) => SpecYaml(i, yaml(c)) };

    public static IEnumerable<CorpusCase> All() =>
    [
        Case("yaml-unclosed-flow-list", "spec (specYaml line 7, col 12): YAML syntax error: this [ or { is never closed",
            c => BaseYaml(c).Replace("[cat]", "[cat", StringComparison.Ordinal)),
        Case("yaml-tab-indentation", "spec (specYaml line 5, col 1): YAML syntax error: While scanning a mapping, found invalid tab as indentation",
            c => BaseYaml(c).Replace("  maxRecords: 10", "\tmaxRecords: 10", StringComparison.Ordinal)),
        Case("yaml-duplicate-key", "spec (specYaml line 6, col 3): YAML syntax error: Duplicate key maxRecords",
            c => BaseYaml(c).Replace("  maxRecords: 10", "  maxRecords: 10\n  maxRecords: 20", StringComparison.Ordinal)),
        Case("yaml-number-as-text", "spec.batching.maxRecords (specYaml line 5, col 15): expected a number, got \"ten\"",
            c => BaseYaml(c).Replace("maxRecords: 10", "maxRecords: ten", StringComparison.Ordinal)),
        Case("yaml-fractional-count", "spec.batching.maxRecords (specYaml line 5, col 15): expected a whole number, got 2.5",
            c => BaseYaml(c).Replace("maxRecords: 10", "maxRecords: 2.5", StringComparison.Ordinal)),
        Case("yaml-argv-as-string", "spec.handler.command (specYaml line 7, col 12): expected a list of strings (argv), got \"cat -n\"",
            c => BaseYaml(c).Replace("[cat]", "cat -n", StringComparison.Ordinal)),
        Case("yaml-bool-as-yes", "spec.suspend (specYaml line 10, col 10): expected true or false, got \"yes\"",
            c => BaseYaml(c, "suspend: yes\n")),
        Case("yaml-unknown-field", "spec.colour (specYaml line 10, col 1): unknown field \"colour\"; expected one of: template, input, batching, handler, output, dispatch, slurm, retry, failurePolicy, suspend, activeDeadline, ttlAfterFinished, retryGeneration",
            c => BaseYaml(c, "colour: blue\n")),
        Case("yaml-misspelt-section", "spec.slrum (specYaml line 10, col 1): unknown field \"slrum\"; did you mean \"slurm\"?",
            c => BaseYaml(c, "slrum: {maxConcurrent: 2}\n")),
        Case("yaml-scalar-document", "spec (specYaml line 1, col 1): expected a map, got \"just some text\"",
            _ => "just some text"),
        Case("yaml-empty-string", "spec (specYaml): the YAML document is empty", _ => ""),
        new("yaml-spec-and-specyaml", Category, "Invalid",
            SpecCases.Invalid("spec: give either spec (a map) or specYaml (a string), not both"))
        {
            Item = (i, c) => i["specYaml"] = S(BaseYaml(c)),
        },
    ];
}
