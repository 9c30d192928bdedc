using System.Text.RegularExpressions;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Counts Slurm submissions independently of the daemon: a wrapper named `sbatch`, first on the daemon's PATH, appends
/// one line per call (exit code, printed job id, the calling daemon's $CHAOS_DAEMON, full argv incl. --comment=token@offset) to a log, then hands over to
/// the real /usr/bin/sbatch. The daemon cannot hide a duplicate submission from this log.
/// </summary>
internal static partial class SbatchLog
{
    /// <summary>Writes the wrapper into <paramref name="binDirectory"/>; returns the directory to put first on PATH.</summary>
    public static string InstallWrapper(string binDirectory)
    {
        Directory.CreateDirectory(binDirectory);
        var wrapper = Path.Combine(binDirectory, "sbatch");
        // The script is read from stdin by sbatch: pass stdin through untouched. One printf per call keeps lines whole.
        File.WriteAllText(wrapper, """
            #!/bin/sh
            out=$(/usr/bin/sbatch "$@")
            rc=$?
            printf '%s\n' "$out"
            printf 'rc=%s id=%s daemon=%s argv=%s\n' "$rc" "$(printf '%s' "$out" | tr -d '\n')" "${CHAOS_DAEMON:-none}" "$*" >> "$CHAOS_SBATCH_LOG"
            exit $rc
            """.Replace("\r", "", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
        return binDirectory;
    }

    /// <summary>One logged sbatch call.</summary>
    public sealed record Call(int ExitCode, string JobId, string JobName, string Comment, string Array = "")
    {
        /// <summary>The calling daemon's $CHAOS_DAEMON ("none" when unset).</summary>
        public string Daemon { get; init; } = "none";

        /// <summary>The batches an array-mode call submitted: offset (after the comment's '@') + each --array index.</summary>
        public IEnumerable<int> BatchIndexes => Comment.LastIndexOf('@') is > 0 and var at
            && int.TryParse(Comment[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var offset)
            ? Coordinator.Controllers.Dispatch.IndexRanges.Parse(Array.Split('%')[0]).Select(i => offset + i)
            : [];

        /// <summary>The dispatch token: the comment up to its last '@'.</summary>
        public string Token => Comment.LastIndexOf('@') is > 0 and var at ? Comment[..at] : Comment;
    }

    public static IReadOnlyList<Call> Read(string logFile)
    {
        if (!File.Exists(logFile))
        {
            return [];
        }
        return File.ReadAllLines(logFile).Select(Parse).OfType<Call>().ToList();
    }

    private static Call? Parse(string line)
    {
        var match = Line().Match(line);
        if (!match.Success)
        {
            return null;
        }
        var argv = match.Groups["argv"].Value;
        return new Call(
            int.Parse(match.Groups["rc"].Value, System.Globalization.CultureInfo.InvariantCulture),
            match.Groups["id"].Value.Split(';')[0],
            Value(argv, "job-name"),
            Value(argv, "comment"),
            Value(argv, "array"))
        {
            Daemon = match.Groups["daemon"].Success ? match.Groups["daemon"].Value : "none",
        };
    }

    private static string Value(string argv, string option)
    {
        foreach (Match m in Option().Matches(argv + " "))
        {
            if (m.Groups["name"].Value == option)
            {
                return m.Groups["value"].Value;
            }
        }
        return "";
    }

    [GeneratedRegex(@"^rc=(?<rc>\d+) id=(?<id>\S*) (?:daemon=(?<daemon>\S*) )?argv=(?<argv>.*)$")]
    private static partial Regex Line();

    [GeneratedRegex(@"--(?<name>[a-z-]+)=(?<value>\S*) ")]
    private static partial Regex Option();
}
