
namespace Coordinator.Reconciler.Cli;

/// <summary>`coordinator cancel NAME`: phase Cancelled, and scancel of the job's Slurm submissions.</summary>
public sealed class CancelCommand : JobControlVerb
{
    protected override string Name => "cancel";
    protected override string Description => "Cancel a job: its Slurm submissions are cancelled and it ends Cancelled.";
    protected override Task<string> RunAsync(JobControl control, string job, CancellationToken ct) => control.CancelAsync(job, DateTimeOffset.UtcNow, ct);
}
