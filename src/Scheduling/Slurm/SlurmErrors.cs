using System.Text.RegularExpressions;

namespace Coordinator.Scheduling.Slurm;

/// <summary>Which Slurm error messages mean "try again later" rather than "this request is wrong".</summary>
public static partial class SlurmErrors
{
    private static readonly string[] UnreachableMarkers =
    [
        "Unable to contact slurm controller",
        "Connection refused",
        "connect failure",
    ];

    private static readonly string[] TransientMarkers =
    [
        .. UnreachableMarkers,
        "Socket timed out",
        "slurm_load_jobs error",
        "Resource temporarily unavailable",
        "temporarily unable to accept job",
        "Slurm backup controller in standby mode",
        "Zero Bytes were transmitted or received",
    ];

    public static bool IsTransient(string stderr) =>
        TransientMarkers.Any(m => stderr.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>slurmctld did not answer at all (stopped, restarting, network down): nothing reached it.</summary>
    public static bool IsUnreachable(string stderr) =>
        UnreachableMarkers.Any(m => stderr.Contains(m, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// scontrol hold/release/update of an array some of whose tasks have ended answers, per task range,
    /// "1141_0-1: Job has already finished" next to "1141_2-5: No error" and exits 1 although every live task was acted
    /// on (seen here with Slurm 22.05); scancel of a job that just ended says "already completing or completed". Nothing
    /// is left to act on in either: true when the output holds nothing else.
    /// </summary>
    public static bool OnlyEndedTasks(string output)
    {
        var rest = EndedOrDone().Replace(output, "");
        return rest.Length < output.Length && rest.Trim().Length == 0;
    }

    [GeneratedRegex(@"(\S+:\s*(Job has already finished|No error)|scancel: error: Kill job error on job id \S+: Job/step already completing or completed)")]
    private static partial Regex EndedOrDone();
}
