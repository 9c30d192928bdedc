namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// How a read verb prints: <see cref="Table"/> fits an 80-column terminal, <see cref="Wide"/> adds columns and never
/// truncates, <see cref="Json"/> and <see cref="Yaml"/> print the items with the DynamoDB attribute names (stable for scripts).
/// </summary>
public enum OutputFormat
{
    Table,
    Wide,
    Json,
    Yaml,
}
