using System.ComponentModel.DataAnnotations;

namespace Coordinator.Reconciler.Queue;

/// <summary>
/// Work queue and reconcile-loop settings, bound from "Daemon:Queue". The defaults are controller-runtime's,
/// chosen there for the same problem: keep one failing object from costing the others anything.
/// </summary>
public sealed class WorkQueueOptions
{
    public const string SectionName = "Daemon:Queue";

    /// <summary>How many different jobs are reconciled at once (default 4). One job is never reconciled twice at once.</summary>
    [Range(1, 256)]
    public int MaxConcurrentReconciles { get; set; } = 4;

    /// <summary>First retry delay after an error (default 5 ms); doubles with every further error of the same job.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Longest retry delay after errors (default 1000 s).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1000);

    /// <summary>Overall retry rate across all jobs (default 10 per second).</summary>
    [Range(0.001, 100_000)]
    public double OverallRetriesPerSecond { get; set; } = 10;

    /// <summary>Retries allowed at once before the overall rate applies (default 100).</summary>
    [Range(1, 1_000_000)]
    public int OverallRetryBurst { get; set; } = 100;

    /// <summary>On shutdown, how long in-flight reconciles may run before they are cancelled (default 30 s).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
