using Coordinator.Reconciler.Cli;

namespace Coordinator.Reconciler.Tests.Cli;

/// <summary>The completions the shell scripts of `coordinator completion` ask for through the [suggest] directive.</summary>
public sealed class CompletionTests
{
    private static string[] Complete(string line) =>
        CliApplication.Build().Parse(line).GetCompletions(line.Length).Select(c => c.Label).ToArray();

    [Fact]
    public void Verbs_complete_from_their_prefix()
    {
        Assert.Equal(["job", "jobs"], Complete("get j"));
        Assert.Contains("describe", Complete("de"));
        Assert.Contains("delete", Complete("de"));
    }

    [Fact]
    public void Output_formats_and_task_states_complete_as_values()
    {
        Assert.Equal(["json", "jsonpath=", "name", "table", "wide", "yaml"], Complete("get jobs -o ").Order(StringComparer.Ordinal));
        Assert.Contains("failed", Complete("tasks wc --state "));
    }

    [Fact]
    public void Every_verb_of_the_design_is_registered()
    {
        var verbs = CliApplication.Build().Subcommands.Select(c => c.Name).ToHashSet();

        var designed = new HashSet<string>(
            ["init", "daemon", "worker", "submit", "validate", "plan", "get", "describe", "watch", "tasks", "logs",
             "cancel", "suspend", "resume", "retry", "scale", "delete", "completion"]);

        Assert.Subset(verbs, designed);
    }

    [Fact]
    public void Root_help_lists_every_exit_code()
    {
        var output = new StringWriter();
        var parse = CliApplication.Build().Parse("--help");
        parse.InvocationConfiguration.Output = output;

        parse.Invoke();

        foreach (var code in Enumerable.Range(0, 8))
        {
            Assert.Contains($"  {code}  ", output.ToString(), StringComparison.Ordinal);
        }
    }
}
