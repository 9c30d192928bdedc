using System.CommandLine;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// The shared <c>-o table|wide|json|yaml|name|jsonpath=TEMPLATE</c> option of the read verbs, and their
/// <c>--no-headers</c>.
/// </summary>
public static class OutputOption
{
    private const string JsonPathPrefix = "jsonpath=";

    public static Option<OutputFormat> Create()
    {
        var option = new Option<OutputFormat>("--output", "-o")
        {
        Description = "Output format: table (fits 80 columns), wide (more columns, nothing cut), " +
                      "json or yaml (the DynamoDB item's attribute names; stable for scripts), name (job/NAME per line), " +
                      "or jsonpath=TEMPLATE over the json, as kubectl's: -o jsonpath='{.items[*].name}'.",
        DefaultValueFactory = _ => OutputFormat.Table,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "table";
            if (text.StartsWith(JsonPathPrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (JsonPathTemplate.TryParse(text[JsonPathPrefix.Length..], out _, out var problem))
                {
                    return OutputFormat.JsonPath;
                }
                result.AddError($"--output {text}: {problem}");
                return OutputFormat.Table;
            }
            if (text.Equals("jsonpath", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError("--output jsonpath needs a template: -o jsonpath='{.items[*].name}'");
                return OutputFormat.Table;
            }
            if (Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format) && !int.TryParse(text, out _))
            {
                return format;
            }
            result.AddError($"--output: unknown format \"{text}\"; use table, wide, json, yaml, name or jsonpath=TEMPLATE");
            return OutputFormat.Table;
        },
        };
        option.CompletionSources.Clear(); // the enum's own names are capitalised; offer what users type
        option.CompletionSources.Add("table", "wide", "json", "yaml", "name", "jsonpath=");
        return option;
    }

    /// <summary>The template of <c>-o jsonpath=…</c> (null for the other formats).</summary>
    public static JsonPathTemplate? Template(ParseResult parseResult, Option<OutputFormat> option) =>
        parseResult.GetResult(option)?.Tokens is [{ } token] && token.Value.StartsWith(JsonPathPrefix, StringComparison.OrdinalIgnoreCase)
        && JsonPathTemplate.TryParse(token.Value[JsonPathPrefix.Length..], out var template, out _) ? template : null;

    public static Option<bool> NoHeaders() => new("--no-headers") { Description = "Table output without its header line (for scripts)." };

    /// <summary>A rendered table without its header line.</summary>
    public static string WithoutHeader(string table) => table.IndexOf('\n', StringComparison.Ordinal) is var end and >= 0 ? table[(end + 1)..] : "";
}
