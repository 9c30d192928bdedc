using System.CommandLine;
using Coordinator.Model.Validation;
using Coordinator.Reconciler.Cli.Output;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// The jobs a bulk verb acts on, as kubectl takes them: one or more NAMEs, or <c>-l SELECTOR</c> (labels), never both.
/// Each job is acted on in turn; one that fails is reported on stderr and the rest still go. The exit code is the
/// first failure's (0 when all succeed; a selector that matches nothing is 0 with a note on stderr).
/// </summary>
public static class JobTargets
{
    public static Argument<string[]> Names()
    {
        var argument = new Argument<string[]>("NAME") { Description = "Job names ([a-z0-9-], 1..63 characters); or -l SELECTOR", Arity = ArgumentArity.ZeroOrMore };
        argument.Validators.Add(result =>
        {
            foreach (var name in NamesIn(result.Tokens.Select(t => t.Value).ToList()))
            {
                if (NameRules.Check(name) is { } problem)
                {
                    result.AddError($"NAME {problem}");
                }
            }
        });
        return argument;
    }

    /// <summary>
    /// The names among the argument's tokens: a many-valued argument also takes the <c>--Coordinator:…</c> settings
    /// written after the names (System.CommandLine gives it every token no option claims), which are settings, not names
    /// (<see cref="Configuration.CoordinatorConfiguration.Overrides"/> reads them from there).
    /// </summary>
    public static IReadOnlyList<string> NamesIn(IReadOnlyList<string> tokens) => Configuration.CommandLineOverrides.Split(tokens).Rejected;

    public static Option<string?> Selector() => new("--selector", "-l")
    {
        Description = "Every job whose labels match, e.g. team=nlp,env!=prod (instead of names).",
    };

    /// <summary>The job names to act on, or null after writing the usage error (exit 2).</summary>
    public static async Task<IReadOnlyList<string>?> ResolveAsync(CliSession session, ParseResult parseResult, Argument<string[]> names,
        Option<string?> selector, string verb, CancellationToken ct)
    {
        var given = NamesIn(parseResult.GetValue(names) ?? []);
        var labels = parseResult.GetValue(selector);
        if (given.Count > 0 == labels is not null)
        {
            await session.Error.WriteLineAsync(given.Count > 0
                ? $"{verb}: give job names or -l SELECTOR, not both"
                : $"{verb}: give one or more job names, or -l SELECTOR").ConfigureAwait(false);
            return null;
        }
        if (labels is null)
        {
            return given.Distinct(StringComparer.Ordinal).ToList();
        }
        LabelSelector filter;
        try
        {
            filter = LabelSelector.Parse(labels);
        }
        catch (FormatException e)
        {
            await session.Error.WriteLineAsync($"{verb}: {e.Message}").ConfigureAwait(false);
            return null;
        }
        var matched = new List<string>();
        await foreach (var job in session.State.ListJobsAsync(ct).ConfigureAwait(false))
        {
            if (filter.Matches(job.Labels))
            {
                matched.Add(job.Name);
            }
        }
        matched.Sort(StringComparer.Ordinal);
        if (matched.Count == 0)
        {
            await session.Error.WriteLineAsync($"{verb}: no jobs match -l {labels}").ConfigureAwait(false);
        }
        return matched;
    }

    /// <summary>Runs <paramref name="action"/> on each job, printing its message; a failure is printed and the rest still run.</summary>
    public static async Task<int> ForEachAsync(CliSession session, string verb, IReadOnlyList<string> jobs, Func<string, Task<string>> action)
    {
        var code = ExitCodes.Success;
        foreach (var job in jobs)
        {
            try
            {
                await session.Output.WriteLineAsync(await action(job).ConfigureAwait(false)).ConfigureAwait(false);
            }
            catch (Exception e) when (ExitCodes.For(e) is { } failed && jobs.Count > 1)
            {
                await session.Error.WriteLineAsync($"{CliVerbRunner.Message(verb, e, failed)} (job \"{job}\")").ConfigureAwait(false);
                code = code == ExitCodes.Success ? failed : code;
            }
        }
        return code;
    }
}
