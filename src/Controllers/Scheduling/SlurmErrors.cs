namespace Coordinator.Controllers.Scheduling;

/// <summary>Which Slurm error messages mean "try again later" rather than "this request is wrong".</summary>
public static class SlurmErrors
{
    private static readonly string[] TransientMarkers =
    [
        "Socket timed out",
        "slurm_load_jobs error",
        "Resource temporarily unavailable",
        "Unable to contact slurm controller",
        "temporarily unable to accept job",
        "Slurm backup controller in standby mode",
        "Connection refused",
        "Zero Bytes were transmitted or received",
    ];

    public static bool IsTransient(string stderr) =>
        TransientMarkers.Any(m => stderr.Contains(m, StringComparison.OrdinalIgnoreCase));
}
