namespace Coordinator.Worker;

/// <summary>Where a worker runs: recorded on each task it claims, so an operator can find its node and Slurm logs.</summary>
public sealed record WorkerIdentity(string Host, string? SlurmJobId, string? ArrayTaskId)
{
    /// <summary>From the environment Slurm gives every array task.</summary>
    public static WorkerIdentity FromEnvironment() => new(
        Environment.MachineName,
        Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") ?? Environment.GetEnvironmentVariable("SLURM_JOB_ID"),
        Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID"));
}
