namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// How a read verb prints: <see cref="Table"/> fits an 80-column terminal, <see cref="Wide"/> adds columns and never
/// truncates, <see cref="Json"/> and <see cref="Yaml"/> print the items with the DynamoDB attribute names (stable for scripts),
/// <see cref="Name"/> prints <c>job/NAME</c> per line, <see cref="JsonPath"/> applies a kubectl-style template to the JSON.
/// </summary>
public enum OutputFormat
{
    Table,
    Wide,
    Json,
    Yaml,
    Name,
    JsonPath,
}
