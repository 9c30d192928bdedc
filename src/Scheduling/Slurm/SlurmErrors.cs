namespace Coordinator.Scheduling.Slurm;

/// <summary>Which Slurm error messages mean "try again later" rather than "this request is wrong".</summary>
public static class SlurmErrors
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
}
