
namespace Coordinator.Reconciler.Cli;

/// <summary>`coordinator suspend NAME`: sets spec.suspend; the daemon holds pending tasks and dispatches nothing new.</summary>
public sealed class SuspendCommand : JobControlVerb
{
    protected override string Name => "suspend";
    protected override string Description => "Suspend a job: pending batches are held and nothing new is dispatched (running batches finish).";
    protected override Task<string> RunAsync(JobControl control, string job, CancellationToken ct) => control.SetSuspendAsync(job, true, ct);
}
