namespace Coordinator.Model.Status;

/// <summary>Observed state of a job, written only by the daemon.</summary>
public sealed class JobStatus
{
    public JobPhase Phase { get; set; } = JobPhase.Pending;
    public long ObservedGeneration { get; set; }
    /// <summary>
    /// The job's <c>reconcileRequestedAt</c> stamp (a CLI cancel) as of the daemon's last pass, "" for none: a finished
    /// job whose stamp differs was changed while no daemon watched, and the relist takes it.
    /// </summary>
    public string ObservedReconcileRequest { get; set; } = "";
    public List<Condition> Conditions { get; set; } = [];
    public BatchCounts Batches { get; set; } = new();
    /// <summary>Range string such as "0-3,7".</summary>
    public string CompletedIndexes { get; set; } = "";
    public string FailedIndexes { get; set; } = "";
    public RecordCounts Records { get; set; } = new();
    public OutputStatus? Output { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>
    /// When a finished job with spec.ttlAfterFinished is due for deletion (completedAt + ttl), written with the status
    /// that makes it terminal; null otherwise. Persisted so any later leader's sweep finds due jobs after a restart.
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; set; }
    public string Message { get; set; } = "";
    /// <summary>Dispatch intent: the token written before sbatch, so a restarted daemon finds its submission.</summary>
    public DispatchIntent? Dispatch { get; set; }
    /// <summary>The most recent events, oldest first, at most <see cref="JobEvents.MaxEvents"/> (see <see cref="JobEvent"/>).</summary>
    public List<JobEvent> Events { get; set; } = [];
    /// <summary>Progress of a partition pass under way (batches cut, bytes read of the total); null when none is.</summary>
    public PartitionProgress? Partition { get; set; }
}

public sealed class BatchCounts
{
    public long Total { get; set; }
    public long Pending { get; set; }
    public long Running { get; set; }
    public long Succeeded { get; set; }
    public long Failed { get; set; }
}

public sealed class RecordCounts
{
    public long Input { get; set; }
    public long Output { get; set; }
    public long Failed { get; set; }
    /// <summary>Records the handlers rejected ($COORDINATOR_REJECTS), in failed-records.jsonl beside the output.</summary>
    public long Rejected { get; set; }
}

public sealed class OutputStatus
{
    public string Uri { get; set; } = "";
    public string Manifest { get; set; } = "";
    public string Sha256 { get; set; } = "";
}

public sealed class DispatchIntent
{
    public string Token { get; set; } = "";
    /// <summary>The indices this submission covers, as a range string.</summary>
    public string Indexes { get; set; } = "";
    public string? SlurmJobId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
