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

    /// <summary>
    /// The Slurm client on this host cannot work at all: no configuration found (no SLURM_CONF, no
    /// /etc/slurm/slurm.conf, and no DNS SRV record for configless mode), or munge authentication failing. Seen
    /// here with Slurm 22.05: "fatal: Could not establish a configuration source" after "resolve_ctls_from_dns_srv".
    /// </summary>
    private static readonly string[] ConfigurationMarkers =
    [
        "Could not establish a configuration source",
        "resolve_ctls_from_dns_srv",
        "_establish_config_source",
        "Unable to process configuration file",
        "s_p_parse_file: unable to",
        "Munge encode failed",
        "auth_g_create: ",
        "Invalid authentication credential",
        "Protocol authentication error",
    ];

    /// <summary>
    /// sbatch refusing what the job asks for: the same request fails the same way until the spec changes.
    /// </summary>
    private static readonly string[] RefusalMarkers =
    [
        "invalid partition specified",
        "Invalid partition name specified",
        "Invalid account",
        "Invalid qos specification",
        "Invalid generic resource (gres) specification",
        "Invalid feature specification",
        "Invalid wckey specification",
        "Requested node configuration is not available",
        "Memory specification can not be satisfied",
        "Requested time limit is invalid",
        "Job violates accounting/QOS policy",
        "Invalid Trackable RESource (TRES) specification",
        "More processors requested than permitted",
        "Node count specification invalid",
        "Requested partition configuration not available now",
    ];

    public static bool IsConfiguration(string stderr) =>
        ConfigurationMarkers.Any(m => stderr.Contains(m, StringComparison.OrdinalIgnoreCase));

    public static bool IsRefusal(string stderr) =>
        RefusalMarkers.Any(m => stderr.Contains(m, StringComparison.OrdinalIgnoreCase));

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
