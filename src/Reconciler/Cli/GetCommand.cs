using System.CommandLine;
using Coordinator.Model.Spec;
using Coordinator.Reconciler.Cli.Output;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator get jobs [-l team=nlp] [-o table|wide|json|yaml]` and `coordinator get job NAME [-o …]`, as kubectl
/// get: a table that fits 80 columns by default, or the items as JSON/YAML with the DynamoDB attribute names.
/// Templates are not jobs and are never listed.
/// </summary>
public sealed class GetCommand : ICliCommand
{
    public Command Build()
    {
        var command = new Command("get", "List jobs (get jobs) or show one job (get job NAME) as a table, json or yaml.");
        command.Subcommands.Add(BuildJobs());
        command.Subcommands.Add(BuildJob());
        return command;
    }

    private static Command BuildJobs()
    {
        var selector = new Option<string?>("--selector", "-l")
        {
            Description = "Only jobs whose labels match, e.g. team=nlp, team=nlp,env!=prod, gpu (has the label) or !gpu.",
        };
        var output = OutputOption.Create();
        var command = new Command("jobs", "List every job, sorted by name. Exit 0 also when none match.") { selector, output };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "get jobs", async (session, token) =>
            {
                LabelSelector filter;
                try
                {
                    filter = LabelSelector.Parse(parseResult.GetValue(selector));
                }
                catch (FormatException e)
                {
                    await session.Error.WriteLineAsync($"get jobs: {e.Message}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }
                var jobs = new List<Job>();
                await foreach (var job in session.State.ListJobsAsync(token).ConfigureAwait(false))
                {
                    if (filter.Matches(job.Labels))
                    {
                        jobs.Add(job);
                    }
                }
                jobs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                var format = parseResult.GetValue(output);
                if (jobs.Count == 0 && format is OutputFormat.Table or OutputFormat.Wide)
                {
                    // As kubectl: the note goes to stderr, so a script reading the table sees no rows, not a sentence.
                    await session.Error.WriteLineAsync("No jobs found.").ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                await session.Output.WriteAsync(Render(jobs, format)).ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }

    private static Command BuildJob()
    {
        var name = JobNameArgument.Create();
        var output = OutputOption.Create();
        var command = new Command("job", "Show one job. Exit 1 if it does not exist.") { name, output };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "get job", async (session, token) =>
            {
                var job = await CliVerbRunner.RequireJobAsync(session, parseResult.GetValue(name)!, token).ConfigureAwait(false);
                var format = parseResult.GetValue(output);
                var text = format is OutputFormat.Json or OutputFormat.Yaml
                    ? ItemDocuments.Render(ItemDocuments.Job(job), format)
                    : Render([job], format);
                await session.Output.WriteAsync(text).ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }

    private static string Render(IReadOnlyList<Job> jobs, OutputFormat format) => format switch
    {
        OutputFormat.Json or OutputFormat.Yaml => ItemDocuments.Render(ItemDocuments.List(jobs.Select(ItemDocuments.Job)), format),
        _ => JobTable.Render(jobs, format == OutputFormat.Wide, DateTimeOffset.UtcNow, TextTable.ConsoleWidth()),
    };
}
