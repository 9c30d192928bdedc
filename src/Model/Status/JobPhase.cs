namespace Coordinator.Model.Status;

/// <summary>The coarse lifecycle of a job. Allowed moves are listed once, in PhaseTransitions.</summary>
public enum JobPhase
{
    Pending,
    Invalid,
    Partitioning,
    Dispatching,
    Running,
    Suspended,
    Aggregating,
    Succeeded,
    Failed,
    Cancelled,
}
