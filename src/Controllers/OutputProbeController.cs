using Coordinator.Controllers.Pipeline;
using Coordinator.Data.Aggregation;
using Coordinator.Data.Storage;
using Coordinator.Model.Status;
using Microsoft.Extensions.Logging;

namespace Coordinator.Controllers;

/// <summary>
/// Order 90, before partition and so before the first dispatch (issue 19, item 6): once per generation, the job's
/// output location is probed with <see cref="IObjectStore.ProbeWriteAsync"/> (S3: a multipart upload started and
/// aborted; file://: a temporary file made and removed), so a missing bucket, a denied write or a directory that cannot
/// be made fails the job at once with the URI and the error, instead of after every batch ran (the aggregator's
/// OutputNotWritable). A probe that passes sets OutputWritable=True for the generation; a transient error (throttling,
/// a lost connection, any other I/O error) propagates and the reconcile is retried.
/// </summary>
public sealed partial class OutputProbeController(IObjectStore store, ILogger<OutputProbeController> logger) : IJobController
{
    public string Name => "output-probe";
    public int Order => 90;

    public async Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct)
    {
        var job = context.Job;
        if (job.Status.Phase is not (JobPhase.Pending or JobPhase.Partitioning or JobPhase.Dispatching)
            || StatusEditor.IsTrue(job.Status, ConditionTypes.OutputWritable, job.Generation))
        {
            return ControllerResult.Continue;
        }
        var target = OutputTarget.For(job.Spec);
        try
        {
            await store.ProbeWriteAsync(target.Output, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectStoreException { IsPermanent: true } or UnauthorizedAccessException)
        {
            var message = $"cannot write the job's output {target.Output}: {e.Message}; found before any batch ran, nothing was dispatched";
            StatusEditor.Fail(context, "OutputNotWritable", message);
            LogNotWritable(logger, job.Name, target.Output, e.Message);
            return ControllerResult.Stop;
        }
        StatusEditor.SetCondition(job.Status, ConditionTypes.OutputWritable, StatusEditor.True, "Probed",
            $"{target.Output} can be written", job.Generation, context.Now);
        return ControllerResult.Continue;
    }

    [LoggerMessage(EventId = 1901, Level = LogLevel.Warning, Message = "Job {JobName}: output {Output} cannot be written ({Error}); failed before dispatch")]
    private static partial void LogNotWritable(ILogger logger, string jobName, Uri output, string error);
}
