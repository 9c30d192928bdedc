using System.CommandLine;
using Coordinator.Model.Documents;
using Coordinator.Reconciler.Cli.Output;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator events NAME [-o json|yaml]`: the recent events the daemon recorded on the job (status.events: reconcile
/// errors, stalls, refusals, each deduplicated with a count, at most ten), oldest first, as kubectl's events table;
/// the same table ends `describe job`.
/// </summary>
public sealed class EventsCommand : ICliCommand
{
    public Command Build()
    {
        var name = JobNameArgument.Create();
        var output = OutputOption.Create();
        var noHeaders = OutputOption.NoHeaders();
        var command = new Command("events", "The recent events the daemon recorded on a job, oldest first. Exit 1 if the job does not exist.")
        {
            name, output, noHeaders,
        };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "events", async (session, token) =>
            {
                var job = await CliVerbRunner.RequireJobAsync(session, parseResult.GetValue(name)!, token).ConfigureAwait(false);
                var events = job.Status.Events.OrderBy(e => e.LastTimestamp).ToList();
                var format = parseResult.GetValue(output);
                if (format is OutputFormat.Json or OutputFormat.Yaml or OutputFormat.JsonPath)
                {
                    var document = ItemDocuments.List(events.Select(e => (SpecNode)new MapNode()
                        .Set("type", ScalarNode.String(e.Type))
                        .Set("reason", ScalarNode.String(e.Reason))
                        .Set("message", ScalarNode.String(e.Message))
                        .Set("count", ScalarNode.Number(e.Count))
                        .Set("firstTimestamp", ScalarNode.String(e.FirstTimestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture)))
                        .Set("lastTimestamp", ScalarNode.String(e.LastTimestamp.ToString("O", System.Globalization.CultureInfo.InvariantCulture)))));
                    var text = format is OutputFormat.JsonPath
                        ? OutputOption.Template(parseResult, output)!.Render(ItemDocuments.Render(document, OutputFormat.Json)) + "\n"
                        : ItemDocuments.Render(document, format);
                    await session.Output.WriteAsync(text).ConfigureAwait(false);
                }
                else if (events.Count == 0)
                {
                    await session.Error.WriteLineAsync($"No events on job \"{job.Name}\".").ConfigureAwait(false);
                }
                else
                {
                    var table = JobDescription.EventsTable(events, DateTimeOffset.UtcNow, TextTable.ConsoleWidth());
                    await session.Output.WriteAsync(parseResult.GetValue(noHeaders) ? OutputOption.WithoutHeader(table) : table).ConfigureAwait(false);
                }
                return ExitCodes.Success;
            }, ct));
        return command;
    }
}
