using System.Globalization;
using System.Text.RegularExpressions;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Counts the Slurm commands that change submissions, independently of the daemon: wrappers named `scancel` and
/// `scontrol`, first on every daemon's PATH beside the sbatch one, append one line per call (wall-clock time, the
/// calling daemon's $CHAOS_DAEMON, exit code, argv) to $CHAOS_SLURM_CONTROL_LOG, then run the real command with its
/// stdin, stdout and exit code untouched. A stale leader cannot hide a scancel from this log.
/// </summary>
internal static partial class SlurmControlLog
{
    public static void InstallWrappers(string binDirectory)
    {
        Directory.CreateDirectory(binDirectory);
        foreach (var command in new[] { "scancel", "scontrol" })
        {
            var wrapper = Path.Combine(binDirectory, command);
            File.WriteAllText(wrapper, $$"""
                #!/bin/sh
                /usr/bin/{{command}} "$@"
                rc=$?
                if [ -n "$CHAOS_SLURM_CONTROL_LOG" ]; then
                  printf 'at=%s daemon=%s rc=%s cmd={{command}} argv=%s\n' "$(date +%s.%N)" "${CHAOS_DAEMON:-none}" "$rc" "$*" >> "$CHAOS_SLURM_CONTROL_LOG"
                fi
                exit $rc
                """.Replace("\r", "", StringComparison.Ordinal) + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
        }
    }

    /// <summary>One logged call: when (UTC), by which daemon, the command and its arguments.</summary>
    public sealed record Call(DateTime At, string Daemon, int ExitCode, string Command, string Arguments)
    {
        /// <summary>scancel, or an scontrol that changes a submission (update, hold, release); not `scontrol show`.</summary>
        public bool ChangesSlurm => Command == "scancel"
            || (Command == "scontrol" && Arguments.Split(' ', 2)[0] is "update" or "hold" or "release" or "requeue" or "suspend");
    }

    public static IReadOnlyList<Call> Read(string logFile) => File.Exists(logFile)
        ? File.ReadAllLines(logFile).Select(Parse).OfType<Call>().ToList()
        : [];

    private static Call? Parse(string line)
    {
        var m = Line().Match(line);
        if (!m.Success)
        {
            return null;
        }
        var seconds = double.Parse(m.Groups["at"].Value, CultureInfo.InvariantCulture);
        return new Call(DateTime.UnixEpoch.AddSeconds(seconds), m.Groups["daemon"].Value,
            int.Parse(m.Groups["rc"].Value, CultureInfo.InvariantCulture), m.Groups["cmd"].Value, m.Groups["argv"].Value);
    }

    [GeneratedRegex(@"^at=(?<at>[0-9.]+) daemon=(?<daemon>\S*) rc=(?<rc>\d+) cmd=(?<cmd>\S+) argv=(?<argv>.*)$")]
    private static partial Regex Line();
}
