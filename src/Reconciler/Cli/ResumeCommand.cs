
namespace Coordinator.Reconciler.Cli;

/// <summary>`coordinator resume NAME`: clears spec.suspend; the daemon releases held tasks and dispatches again.</summary>
public sealed class ResumeCommand : JobControlVerb
{
    protected override string Name => "resume";
    protected override string Description => "Resume a suspended job.";
    protected override Task<string> RunAsync(JobControl control, string job, CancellationToken ct) => control.SetSuspendAsync(job, false, ct);
}
