using System.ComponentModel.DataAnnotations;

namespace Coordinator.Controllers.Configuration;

/// <summary>Section "Coordinator:Dispatch": timings of dispatch and status tracking, with the values that suit most sites.</summary>
public sealed class DispatchOptions
{
    /// <summary>
    /// Shortest interval between two full reads of a job's tasks (default 2 s). Task-stream events wake a job far more
    /// often than that; within the interval the last read is reused, so the cost is bounded by time, not by events.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Longest a job's task view is kept up to date from task-stream events alone before every task is read again
    /// (default 60 s: the periodic full recount that heals anything the stream could not say).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan FullRecountInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a running job is looked at again when no event arrives (default 5 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RunningRequeue { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Slurm submissions in a row that may end with no worker claiming a batch (the worker never started: executable
    /// missing on the node, no credentials, …) before the batch fails with the Slurm task's stderr (default 3).
    /// </summary>
    [Range(1, 1000)]
    public int MaxUnclaimedSubmissions { get; set; } = 3;
}
