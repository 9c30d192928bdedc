namespace Coordinator.Model.Tasks;

/// <summary>The tasks dispatched together in one Slurm submission: a wave, or a retry of failed indices.</summary>
public sealed class TaskGroup
{
    public string Token { get; set; } = "";
    /// <summary>Range string of the batch indices covered.</summary>
    public string Indexes { get; set; } = "";
    public string? SlurmJobId { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
}
