
namespace Coordinator.Reconciler.Cli;

/// <summary>`coordinator retry NAME`: redrive — reruns only the failed batches of a Failed job.</summary>
public sealed class RetryCommand : JobControlVerb
{
    protected override string Name => "retry";
    protected override string Description => "Redrive a Failed job: only its failed batches run again, with a fresh attempt budget.";
    protected override Task<string> RunAsync(JobControl control, string job, CancellationToken ct) => control.RedriveAsync(job, ct);
}
