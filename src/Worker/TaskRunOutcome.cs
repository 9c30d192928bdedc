namespace Coordinator.Worker;

/// <summary>What <see cref="TaskWorker.RunAsync"/> did with the task it was asked to run.</summary>
public enum TaskRunOutcome
{
    /// <summary>It claimed the task, ran it and recorded the outcome (success or failure).</summary>
    Recorded,
    /// <summary>The task was not claimable (done, running elsewhere, backing off, or another worker won the claim).</summary>
    NotClaimed,
    /// <summary>It ran the task but someone else moved the task meanwhile (marked lost, cancelled); nothing was overwritten.</summary>
    Superseded,
}
