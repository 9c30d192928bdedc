using System.CommandLine;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Tasks;
using Coordinator.Reconciler.Cli.Output;
using Coordinator.Reconciler.Configuration;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator tasks NAME [--state failed] [-o table|wide|json|yaml]`: the job's batches and how each one went,
/// in index order. json/yaml print the task items with their DynamoDB attribute names.
/// </summary>
public sealed class TasksCommand : ICliCommand
{
    public Command Build()
    {
        var name = JobNameArgument.Create();
        var state = new Option<TaskState[]>("--state", "-s")
        {
            Description = "Only tasks in these states (repeatable, or comma-separated): " +
                          string.Join(", ", Enum.GetNames<TaskState>().Select(n => n.ToLowerInvariant())) + ".",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false, // greedy would swallow the --Coordinator:X settings that follow
            CustomParser = result =>
            {
                var states = new List<TaskState>();
                foreach (var word in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                {
                    if (Enum.TryParse<TaskState>(word, ignoreCase: true, out var parsed) && !int.TryParse(word, out _))
                    {
                        states.Add(parsed);
                    }
                    else
                    {
                        result.AddError($"--state: unknown task state \"{word}\"; use " +
                                        string.Join(", ", Enum.GetNames<TaskState>().Select(n => n.ToLowerInvariant())));
                    }
                }
                return [.. states];
            },
        };
        state.CompletionSources.Clear();
        state.CompletionSources.Add(Enum.GetNames<TaskState>().Select(n => n.ToLowerInvariant()).ToArray());
        var output = OutputOption.Create();
        var noHeaders = OutputOption.NoHeaders();
        var command = new Command("tasks", "List a job's tasks (one per batch) with state, attempt, exit code, Slurm id and reason. Exit 1 if the job does not exist.")
        {
            name, state, output, noHeaders,
        };
        command.AcceptOverrides();
        command.SetAction((ParseResult parseResult, CancellationToken ct) =>
            CliVerbRunner.RunAsync(parseResult, "tasks", async (session, token) =>
            {
                var job = await CliVerbRunner.RequireJobAsync(session, parseResult.GetValue(name)!, token).ConfigureAwait(false);
                var wanted = parseResult.GetValue(state) ?? [];
                var tasks = (await TaskReader.ReadAllAsync(session.State, job.Name, job.Generation, token).ConfigureAwait(false))
                    .Where(t => wanted.Length == 0 || wanted.Contains(t.State))
                    .ToList();
                var format = parseResult.GetValue(output);
                if (format is OutputFormat.Json or OutputFormat.Yaml)
                {
                    await session.Output.WriteAsync(ItemDocuments.Render(ItemDocuments.List(tasks.Select(ItemDocuments.Task)), format)).ConfigureAwait(false);
                }
                else if (format is OutputFormat.JsonPath)
                {
                    var json = ItemDocuments.Render(ItemDocuments.List(tasks.Select(ItemDocuments.Task)), OutputFormat.Json);
                    await session.Output.WriteLineAsync(OutputOption.Template(parseResult, output)!.Render(json)).ConfigureAwait(false);
                }
                else if (format is OutputFormat.Name)
                {
                    await session.Output.WriteAsync(string.Concat(tasks.Select(t => $"task/{job.Name}/{t.Index}\n"))).ConfigureAwait(false);
                }
                else if (tasks.Count == 0)
                {
                    await session.Error.WriteLineAsync($"No tasks found for job \"{job.Name}\"{(wanted.Length > 0 ? " in that state" : "")}.").ConfigureAwait(false);
                }
                else
                {
                    var table = TaskTable.Render(tasks, format == OutputFormat.Wide, DateTimeOffset.UtcNow, TextTable.ConsoleWidth());
                    await session.Output.WriteAsync(parseResult.GetValue(noHeaders) ? OutputOption.WithoutHeader(table) : table).ConfigureAwait(false);
                }
                return ExitCodes.Success;
            }, ct));
        return command;
    }
}
