using System.CommandLine;
using Coordinator.Model.Spec;
using Coordinator.Reconciler.Cli.Output;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator get jobs [-l team=nlp] [--field-selector status.phase=Failed] [-w] [-o table|wide|json|yaml|name|jsonpath=…]
/// [--no-headers]` and `coordinator get job NAME [-o …]`, as kubectl get: a table that fits 80 columns by default, or the
/// items as JSON/YAML with the DynamoDB attribute names, their names, or a JSONPath template over the JSON.
/// Templates are not jobs and are never listed.
/// </summary>
public sealed class GetCommand : ICliCommand
{
    public Command Build()
    {
        var command = new Command("get", "List jobs (get jobs), show one job (get job NAME), or list JobTemplates (get templates).");
        command.Subcommands.Add(BuildJobs());
        command.Subcommands.Add(BuildJob());
        command.Subcommands.Add(TemplateVerbs.Get());
        return command;
    }

    /// <summary>How often `get jobs -w` lists again (DynamoDB has no watch for a scan: one list per interval).</summary>
    public static readonly TimeSpan WatchInterval = TimeSpan.FromSeconds(2);

    private static Command BuildJobs()
    {
        var selector = new Option<string?>("--selector", "-l")
        {
            Description = "Only jobs whose labels match, e.g. team=nlp, team=nlp,env!=prod, gpu (has the label) or !gpu.",
        };
        var fields = new Option<string?>("--field-selector")
        {
            Description = "Only jobs whose fields match, e.g. status.phase=Failed, status.phase!=Succeeded, metadata.name=x (comma: all must hold).",
        };
        var watch = new Option<bool>("--watch", "-w") { Description = "After the list, print a job's row again each time it changes, until interrupted." };
        var output = OutputOption.Create();
        var noHeaders = OutputOption.NoHeaders();
        var command = new Command("jobs", "List every job, sorted by name. Exit 0 also when none match.") { selector, fields, watch, output, noHeaders };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "get jobs", async (session, token) =>
            {
                LabelSelector filter;
                FieldSelector fieldFilter;
                try
                {
                    filter = LabelSelector.Parse(parseResult.GetValue(selector));
                    fieldFilter = FieldSelector.Parse(parseResult.GetValue(fields));
                }
                catch (FormatException e)
                {
                    await session.Error.WriteLineAsync($"get jobs: {e.Message}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }
                var format = parseResult.GetValue(output);
                var rendering = new Rendering(format, OutputOption.Template(parseResult, output), parseResult.GetValue(noHeaders));
                if (parseResult.GetValue(watch) && format is not (OutputFormat.Table or OutputFormat.Wide or OutputFormat.Name))
                {
                    await session.Error.WriteLineAsync("get jobs: --watch prints table, wide or name output").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }
                var jobs = await ListAsync(session, filter, fieldFilter, token).ConfigureAwait(false);
                if (jobs.Count == 0 && format is OutputFormat.Table or OutputFormat.Wide)
                {
                    // As kubectl: the note goes to stderr, so a script reading the table sees no rows, not a sentence.
                    await session.Error.WriteLineAsync("No jobs found.").ConfigureAwait(false);
                }
                else
                {
                    await session.Output.WriteAsync(rendering.List(jobs)).ConfigureAwait(false);
                }
                if (parseResult.GetValue(watch))
                {
                    await WatchAsync(session, filter, fieldFilter, rendering with { NoHeaders = true }, jobs, token).ConfigureAwait(false);
                }
                return ExitCodes.Success;
            }, ct));
        return command;
    }

    private static async Task<List<Job>> ListAsync(CliSession session, LabelSelector labels, FieldSelector fields, CancellationToken ct)
    {
        var jobs = new List<Job>();
        await foreach (var job in session.State.ListJobsAsync(ct).ConfigureAwait(false))
        {
            if (labels.Matches(job.Labels) && fields.Matches(job))
            {
                jobs.Add(job);
            }
        }
        jobs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return jobs;
    }

    /// <summary>
    /// kubectl get -w: lists again every <see cref="WatchInterval"/> and prints the row of each job that is new or whose
    /// item changed (its version), until interrupted (exit 0). A job that stops matching or is deleted prints nothing.
    /// </summary>
    private static async Task WatchAsync(CliSession session, LabelSelector labels, FieldSelector fields, Rendering rendering,
        IEnumerable<Job> listed, CancellationToken ct)
    {
        var seen = listed.ToDictionary(j => j.Name, j => (j.Version, j.Status.Phase), StringComparer.Ordinal);
        try
        {
            while (true)
            {
                await Task.Delay(WatchInterval, ct).ConfigureAwait(false);
                var changed = new List<Job>();
                foreach (var job in await ListAsync(session, labels, fields, ct).ConfigureAwait(false))
                {
                    if (!seen.TryGetValue(job.Name, out var before) || before != (job.Version, job.Status.Phase))
                    {
                        seen[job.Name] = (job.Version, job.Status.Phase);
                        changed.Add(job);
                    }
                }
                if (changed.Count > 0)
                {
                    await session.Output.WriteAsync(rendering.List(changed)).ConfigureAwait(false);
                    await session.Output.FlushAsync(ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static Command BuildJob()
    {
        var name = JobNameArgument.Create();
        var output = OutputOption.Create();
        var noHeaders = OutputOption.NoHeaders();
        var command = new Command("job", "Show one job. Exit 1 if it does not exist.") { name, output, noHeaders };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "get job", async (session, token) =>
            {
                var job = await CliVerbRunner.RequireJobAsync(session, parseResult.GetValue(name)!, token).ConfigureAwait(false);
                var rendering = new Rendering(parseResult.GetValue(output), OutputOption.Template(parseResult, output), parseResult.GetValue(noHeaders));
                await session.Output.WriteAsync(rendering.One(job)).ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }

    /// <summary>One list or one job in the format asked for.</summary>
    private sealed record Rendering(OutputFormat Format, JsonPathTemplate? Template, bool NoHeaders)
    {
        public string List(IReadOnlyList<Job> jobs) => Format switch
        {
            OutputFormat.Json or OutputFormat.Yaml => ItemDocuments.Render(ItemDocuments.List(jobs.Select(ItemDocuments.Job)), Format),
            OutputFormat.JsonPath => Template!.Render(ItemDocuments.Render(ItemDocuments.List(jobs.Select(ItemDocuments.Job)), OutputFormat.Json)) + "\n",
            OutputFormat.Name => string.Concat(jobs.Select(j => $"job/{j.Name}\n")),
            _ => Table(jobs),
        };

        public string One(Job job) => Format switch
        {
            OutputFormat.Json or OutputFormat.Yaml => ItemDocuments.Render(ItemDocuments.Job(job), Format),
            OutputFormat.JsonPath => Template!.Render(ItemDocuments.Render(ItemDocuments.Job(job), OutputFormat.Json)) + "\n",
            _ => List([job]),
        };

        private string Table(IReadOnlyList<Job> jobs)
        {
            var table = JobTable.Render(jobs, Format == OutputFormat.Wide, DateTimeOffset.UtcNow, TextTable.ConsoleWidth());
            return NoHeaders ? OutputOption.WithoutHeader(table) : table;
        }
    }
}
