using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Pipeline;
using Coordinator.Data.Storage;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Coordinator.Model.Validation;

namespace Coordinator.Controllers;

/// <summary>
/// First in the pipeline (Order 0). A job whose item could not be decoded, or whose spec fails the model's
/// <see cref="JobSpecValidator"/>, becomes phase Invalid with condition Valid=False and every error in
/// status.message, and the pipeline stops without a requeue: nothing but a spec edit can fix it, and an edit
/// arrives on the stream (and starts a new generation). A valid spec sets Valid=True and lets the pipeline go on.
/// Beyond the model's rules, the input and output must be places this daemon lets jobs reach
/// (<see cref="UriConfinement"/>: file:// inside Coordinator:FileRoots, an output outside the coordinator's data root).
/// </summary>
/// <param name="options">The daemon's settings (file roots, data root); the defaults when none are given.</param>
public sealed class ValidationController(CoordinatorOptions? options = null) : IJobController
{
    private readonly CoordinatorOptions _options = options ?? new CoordinatorOptions();

    public const string InvalidReason = "InvalidSpec";
    public const string ValidReason = "SpecValid";

    public string Name => "validation";

    public int Order => 0;

    public Task<ControllerResult> ReconcileAsync(JobContext context, CancellationToken ct)
    {
        var errors = Errors(context.Job, _options);
        var status = context.Job.Status;
        if (errors.Count == 0)
        {
            StatusEditor.SetCondition(context, ConditionTypes.Valid, true, ValidReason, "");
            return Task.FromResult(ControllerResult.Continue);
        }

        var message = $"invalid spec ({errors.Count} {(errors.Count == 1 ? "error" : "errors")}): {string.Join("; ", errors)}";
        StatusEditor.SetCondition(context, ConditionTypes.Valid, false, InvalidReason, message);
        if (PhaseTransitions.IsAllowed(status.Phase, JobPhase.Invalid))
        {
            StatusEditor.SetPhase(context, JobPhase.Invalid);
        }
        status.Message = message;
        return Task.FromResult(ControllerResult.Stop);
    }

    /// <summary>
    /// Decoding already ran the validator on an item and recorded its findings in DecodeErrors, so those are used
    /// as they are; a job built in memory (no decode) is validated here. Then the input and output URIs are checked
    /// against the daemon's confinement (unless the spec's own rules already refused them).
    /// </summary>
    public static IReadOnlyList<string> Errors(Job job, CoordinatorOptions options)
    {
        var errors = job.DecodeErrors.Count > 0
            ? [.. job.DecodeErrors]
            : JobSpecValidator.Validate(job, "name", "labels").Select(e => e.ToString()).ToList();
        var roots = options.FileRootsInForce();
        foreach (var (path, uri, output) in new[] { ("spec.input.uri", job.Spec.Input.Uri, false), ("spec.output.uri", job.Spec.Output.Uri, true) })
        {
            if (!errors.Exists(e => e.StartsWith(path + ":", StringComparison.Ordinal) || e.StartsWith(path + " (", StringComparison.Ordinal))
                && (UriConfinement.Check(uri, roots) ?? (output ? UriConfinement.CheckOutput(uri, options.DataRootUri, roots) : null)) is { } problem)
            {
                errors.Add(new SpecError(path, problem, null, null).ToString());
            }
        }
        return errors;
    }
}
