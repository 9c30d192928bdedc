using System.CommandLine;

namespace Coordinator.Reconciler.Cli.Spec;

/// <summary>The options every spec verb (validate, plan, submit) shares: the YAML file and the --set overrides.</summary>
public sealed class SpecInputOptions
{
    public Option<FileInfo> File { get; } = new("--file", "-f")
    {
        Description = "The job YAML file (apiVersion: coordinator/v1, kind: Job or JobTemplate); - reads standard input.",
        Required = true,
    };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override a field after extends and templates, e.g. --set slurm.maxConcurrent=10 or " +
                      "--set spec.handler.command=[python3,wc.py]. Repeatable; the value is read as YAML.",
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(File);
        command.Options.Add(Set);
    }
}
