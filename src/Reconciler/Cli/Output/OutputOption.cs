using System.CommandLine;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>The shared <c>-o table|wide|json|yaml</c> option of the read verbs.</summary>
public static class OutputOption
{
    public static Option<OutputFormat> Create()
    {
        var option = new Option<OutputFormat>("--output", "-o")
        {
        Description = "Output format: table (fits 80 columns), wide (more columns, nothing cut), " +
                      "json or yaml (the DynamoDB item's attribute names; stable for scripts).",
        DefaultValueFactory = _ => OutputFormat.Table,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "table";
            if (Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format) && !int.TryParse(text, out _))
            {
                return format;
            }
            result.AddError($"--output: unknown format \"{text}\"; use table, wide, json or yaml");
            return OutputFormat.Table;
        },
        };
        option.CompletionSources.Clear(); // the enum's own names are capitalised; offer what users type
        option.CompletionSources.Add("table", "wide", "json", "yaml");
        return option;
    }
}
