using System.Text.RegularExpressions;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Who touched which Slurm job, independently of the daemons: wrappers named `scancel`, `scontrol` and `squeue`, first
/// on a stack's PATH (beside the sbatch wrapper), append one line per call (the acting stack's name, the program, its
/// argv) to one log shared by every stack of a test, then hand over to the real command in /usr/bin.
/// </summary>
internal static partial class SlurmActionLog
{
    /// <summary>Installs the wrappers into <paramref name="stack"/>'s bin directory; its daemons and CLI calls log as <paramref name="actor"/>.</summary>
    public static void Install(ChaosStack stack, string actor, string logFile)
    {
        var bin = Path.Combine(stack.Work, "bin");
        Directory.CreateDirectory(bin);
        foreach (var program in new[] { "scancel", "scontrol", "squeue" })
        {
            var wrapper = Path.Combine(bin, program);
            File.WriteAllText(wrapper, $"""
                #!/bin/sh
                printf 'actor=%s prog={program} argv=%s\n' "$CHAOS_ACTOR" "$*" >> "$CHAOS_SLURM_ACTIONS_LOG"
                exec /usr/bin/{program} "$@"
                """.Replace("\r", "", StringComparison.Ordinal) + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
        }
        stack.Settings["CHAOS_ACTOR"] = actor;
        stack.Settings["CHAOS_SLURM_ACTIONS_LOG"] = logFile;
    }

    /// <summary>One logged call. <see cref="JobId"/> is the Slurm job acted on (null for reads: squeue, scontrol show).</summary>
    public sealed record Call(string Actor, string Program, string Argv)
    {
        public string? JobId => Program switch
        {
            "scancel" => Argv.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(),
            "scontrol" when Argv.StartsWith("hold ", StringComparison.Ordinal) || Argv.StartsWith("release ", StringComparison.Ordinal) => Argv.Split(' ')[1],
            "scontrol" when JobIdOption().Match(Argv) is { Success: true } m => m.Groups["id"].Value,
            _ => null,
        };

        public string Action => Program == "scontrol" ? $"scontrol {Argv.Split(' ')[0]}" : Program;
    }

    public static IReadOnlyList<Call> Read(string logFile) => !File.Exists(logFile)
        ? []
        : File.ReadAllLines(logFile).Select(l => Line().Match(l)).Where(m => m.Success)
            .Select(m => new Call(m.Groups["actor"].Value, m.Groups["prog"].Value, m.Groups["argv"].Value)).ToList();

    [GeneratedRegex(@"^actor=(?<actor>\S*) prog=(?<prog>\S+) argv=(?<argv>.*)$")]
    private static partial Regex Line();

    [GeneratedRegex(@"JobId=(?<id>\d+)")]
    private static partial Regex JobIdOption();
}
