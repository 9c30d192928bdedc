using System.CommandLine;
using Coordinator.Model.Documents;
using Coordinator.Model.Status;
using Coordinator.Reconciler.Cli.Output;
using Coordinator.Reconciler.Cli.Spec;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// JobTemplates as kubectl shows resources: `get templates`, `describe template NAME` (its spec, and the jobs that
/// name it), `delete template NAME` (refused while an unfinished job names it, unless --force: such a job could no
/// longer be resolved by the daemon). Templates are written with `submit -f` (kind: JobTemplate).
/// </summary>
public static class TemplateVerbs
{
    public static Command Get()
    {
        var output = OutputOption.Create();
        var noHeaders = OutputOption.NoHeaders();
        var command = new Command("templates", "List the JobTemplates, sorted by name.") { output, noHeaders };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "get templates", async (session, token) =>
            {
                var templates = await TemplateStore.ListAsync(session.DynamoDb, session.Options.JobsTable, token).ConfigureAwait(false);
                var format = parseResult.GetValue(output);
                var users = await UsersAsync(session, token).ConfigureAwait(false);
                string text;
                if (format is OutputFormat.Json or OutputFormat.Yaml or OutputFormat.JsonPath)
                {
                    var document = ItemDocuments.List(templates.Select(Document));
                    text = format is OutputFormat.JsonPath
                        ? OutputOption.Template(parseResult, output)!.Render(ItemDocuments.Render(document, OutputFormat.Json)) + "\n"
                        : ItemDocuments.Render(document, format);
                }
                else if (format is OutputFormat.Name)
                {
                    text = string.Concat(templates.Select(t => $"template/{t.Name}\n"));
                }
                else if (templates.Count == 0)
                {
                    await session.Error.WriteLineAsync("No templates found.").ConfigureAwait(false);
                    return ExitCodes.Success;
                }
                else
                {
                    var columns = new TableColumn[] { new("NAME", Elision.Middle, 8), new("JOBS", Elision.None), new("LABELS", Elision.End, 8) };
                    var rows = templates.Select(t => new string?[]
                    {
                        t.Name, users.Count(u => u.Template == t.Name).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        t.Labels.Count == 0 ? "<none>" : string.Join(',', t.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")),
                    });
                    text = TextTable.Render(columns, rows, format == OutputFormat.Wide ? null : TextTable.ConsoleWidth());
                    text = parseResult.GetValue(noHeaders) ? OutputOption.WithoutHeader(text) : text;
                }
                await session.Output.WriteAsync(text).ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }

    public static Command Describe()
    {
        var name = JobNameArgument.Create();
        var command = new Command("template", "Describe one JobTemplate: labels, spec, and the jobs that name it. Exit 1 if it does not exist.") { name };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "describe template", async (session, token) =>
            {
                var template = await RequireAsync(session, parseResult.GetValue(name)!, token).ConfigureAwait(false);
                var users = (await UsersAsync(session, token).ConfigureAwait(false)).Where(u => u.Template == template.Name).ToList();
                var sb = new System.Text.StringBuilder();
                sb.Append($"Name:     {template.Name}\n");
                sb.Append($"Labels:   {(template.Labels.Count == 0 ? "<none>" : string.Join(", ", template.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")))}\n");
                sb.Append($"Used by:  {(users.Count == 0 ? "<no jobs>" : string.Join(", ", users.Select(u => $"{u.Name} ({u.Phase})")))}\n");
                foreach (var problem in template.Problems)
                {
                    sb.Append($"Problem:  {problem}\n");
                }
                sb.Append("Spec:\n");
                foreach (var line in (template.Spec is null ? "(none)\n" : YamlWriter.Write(template.Spec)).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    sb.Append("  ").Append(line).Append('\n');
                }
                await session.Output.WriteAsync(sb.ToString()).ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }

    public static Command Delete()
    {
        var name = JobNameArgument.Create();
        var force = new Option<bool>("--force") { Description = "Delete even while unfinished jobs name the template (the daemon can then no longer resolve them)." };
        var command = new Command("template", "Delete a JobTemplate; refused while an unfinished job names it (--force to delete anyway). Exit 1 if it does not exist.")
        {
            name, force,
        };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "delete template", async (session, token) =>
            {
                var template = await RequireAsync(session, parseResult.GetValue(name)!, token).ConfigureAwait(false);
                var live = (await UsersAsync(session, token).ConfigureAwait(false))
                    .Where(u => u.Template == template.Name && !PhaseTransitions.IsTerminal(u.Phase)).ToList();
                if (live.Count > 0 && !parseResult.GetValue(force))
                {
                    throw new InvalidOperationException($"template \"{template.Name}\" is named by unfinished job(s) {string.Join(", ", live.Select(u => u.Name))}; " +
                                                        "they need it to be reconciled (wait for them, or use --force)");
                }
                if (!await TemplateStore.DeleteAsync(session.DynamoDb, session.Options.JobsTable, template.Name, token).ConfigureAwait(false))
                {
                    throw new KeyNotFoundException($"template \"{template.Name}\" not found in {session.Options.JobsTable}");
                }
                await session.Output.WriteLineAsync($"template \"{template.Name}\" deleted").ConfigureAwait(false);
                return ExitCodes.Success;
            }, ct));
        return command;
    }

    private static async Task<StoredTemplate> RequireAsync(CliSession session, string name, CancellationToken ct) =>
        await TemplateStore.GetAsync(session.DynamoDb, session.Options.JobsTable, name, ct).ConfigureAwait(false)
        ?? throw new KeyNotFoundException($"template \"{name}\" not found in {session.Options.JobsTable}");

    private sealed record User(string Name, string? Template, JobPhase Phase);

    private static async Task<List<User>> UsersAsync(CliSession session, CancellationToken ct)
    {
        var users = new List<User>();
        await foreach (var job in session.State.ListJobsAsync(ct).ConfigureAwait(false))
        {
            users.Add(new User(job.Name, job.Spec.Template, job.Status.Phase));
        }
        return users;
    }

    private static SpecNode Document(StoredTemplate template)
    {
        var map = new MapNode().Set("name", ScalarNode.String(template.Name)).Set("kind", ScalarNode.String("JobTemplate"));
        var labels = new MapNode();
        foreach (var (key, value) in template.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            labels.Set(key, ScalarNode.String(value));
        }
        map.Set("labels", labels);
        if (template.Spec is not null)
        {
            map.Set("spec", template.Spec);
        }
        return map;
    }
}
