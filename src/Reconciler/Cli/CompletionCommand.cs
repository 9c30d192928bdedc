using System.CommandLine;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// `coordinator completion bash|zsh`: prints a shell function that asks coordinator itself for completions through
/// System.CommandLine's <c>[suggest:POSITION]</c> directive (the protocol dotnet-suggest uses), so verbs, options
/// and option values (-o formats, --state values) complete without installing dotnet-suggest. Load it with
/// <c>eval "$(coordinator completion bash)"</c> in ~/.bashrc (or <c>zsh</c> in ~/.zshrc).
/// </summary>
public sealed class CompletionCommand : ICliCommand
{
    public const string Bash = """
        # bash completion for coordinator; load with: eval "$(coordinator completion bash)"
        _coordinator_complete() {
            local IFS=$'\n'
            local candidates
            candidates=$(command coordinator "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
            COMPREPLY=( $(compgen -W "${candidates}" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _coordinator_complete coordinator
        """;

    public const string Zsh = """
        # zsh completion for coordinator; load with: eval "$(coordinator completion zsh)"
        _coordinator_complete() {
            local -a candidates
            candidates=("${(@f)$(command coordinator "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
            compadd -- "${candidates[@]}"
        }
        compdef _coordinator_complete coordinator
        """;

    public Command Build()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion",
            "Print a shell completion script: eval \"$(coordinator completion bash)\" in ~/.bashrc, or zsh in ~/.zshrc.")
        {
            shell,
        };
        command.SetAction(async (ParseResult parseResult, CancellationToken ct) =>
        {
            var script = parseResult.GetValue(shell) == "zsh" ? Zsh : Bash;
            await parseResult.InvocationConfiguration.Output.WriteLineAsync(script).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
