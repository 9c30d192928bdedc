namespace Coordinator.Reconciler.LeaderElection;

/// <summary>
/// Lease timing, bound from "Daemon:LeaderElection"; defaults are controller-runtime's. A leader that cannot
/// renew within <see cref="RenewDeadline"/> stops reconciling; a follower takes over only after seeing the lease
/// unchanged for <see cref="LeaseDuration"/>. The gap between the two (5 s) is the margin that keeps two daemons from
/// ever reconciling at once.
/// </summary>
public sealed class LeaderElectionOptions
{
    public const string SectionName = "Daemon:LeaderElection";

    /// <summary>Name of the lease item (default "coordinator-leader").</summary>
    public string LeaseName { get; set; } = "coordinator-leader";

    /// <summary>How long a follower waits on an unchanged lease before taking it (default 15 s).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps leading without a successful renewal (default 10 s).</summary>
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often to try to acquire or renew (default 2 s).</summary>
    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How much of the lease must be left, on this daemon's monotonic clock counted from when its last successful lease
    /// write was sent, for it to cause a side effect (sbatch, scancel, scontrol, deletes) or write a dispatch intent
    /// (default 5 s). It covers the time a side effect takes to reach Slurm and the drift between two head nodes' clocks.
    /// </summary>
    public TimeSpan SafetyMargin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>This daemon's identity in the lease; default host name, process id and a random suffix.</summary>
    public string? Identity { get; set; }

    /// <summary>Rejects timings that would let two leaders overlap.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (RetryPeriod <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:RetryPeriod: must be positive, got {RetryPeriod}");
        }
        if (RenewDeadline <= RetryPeriod)
        {
            errors.Add($"{SectionName}:RenewDeadline: must be longer than RetryPeriod ({RetryPeriod}), got {RenewDeadline}");
        }
        if (LeaseDuration <= RenewDeadline)
        {
            errors.Add($"{SectionName}:LeaseDuration: must be longer than RenewDeadline ({RenewDeadline}), got {LeaseDuration}");
        }
        if (SafetyMargin <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:SafetyMargin: must be positive, got {SafetyMargin}");
        }
        else if (SafetyMargin >= LeaseDuration - RetryPeriod)
        {
            errors.Add($"{SectionName}:SafetyMargin: must be shorter than LeaseDuration - RetryPeriod ({LeaseDuration - RetryPeriod}), "
                + $"or the leader could not act between two renewals; got {SafetyMargin}");
        }
        return errors;
    }
}
