using Coordinator.Controllers.Cleanup;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Controllers.Retry;
using Coordinator.Model.Spec;
using Coordinator.Model.Status;
using Polly;
using Polly.Retry;

namespace Coordinator.Reconciler.Cli;

/// <summary>
/// What `coordinator suspend|resume|cancel|retry|scale NAME` do. Suspend and resume edit spec.suspend (a user's spec
/// field; the daemon holds or releases the Slurm tasks). Cancel moves the job to Cancelled and cancels its Slurm
/// submissions (the daemon repeats that, in case this machine cannot reach Slurm). Retry redrives a Failed job's
/// failed batches by bumping spec.retryGeneration. Scale edits spec.slurm.maxConcurrent, which the daemon applies to
/// the running arrays with scontrol. Spec edits set only their own field, conditional on its value as read; status
/// writes are conditional on the version read. Both re-read on conflict, as the daemon does.
/// </summary>
/// <param name="state">The jobs and tasks store.</param>
/// <param name="scheduler">Slurm, to cancel a job's submissions at once; null where this machine has no Slurm.</param>
/// <param name="requestReconcile">
/// Wakes the daemon after cancel's status write: the change feed drops records in which only daemon-owned attributes
/// (status, version) changed, so without it the daemon would not hear of the cancel until a task of the job changed.
/// The DynamoDB adapter stamps a user-side attribute (DynamoStateStore.RequestReconcileAsync); null skips it.
/// </param>
public sealed class JobControl(IStateStore state, IScheduler? scheduler, Func<string, DateTimeOffset, CancellationToken, Task>? requestReconcile = null)
{
    private const int Attempts = 5;

    /// <summary>A lost conditional write is retried after 50 ms × the attempt number, <see cref="Attempts"/> attempts in all.</summary>
    private static readonly ResiliencePipeline<string?> ConflictRetry = new ResiliencePipelineBuilder<string?>()
        .AddRetry(new RetryStrategyOptions<string?>
        {
            MaxRetryAttempts = Attempts - 1,
            BackoffType = DelayBackoffType.Linear,
            Delay = TimeSpan.FromMilliseconds(50),
            ShouldHandle = new PredicateBuilder<string?>().Handle<ConflictException>(),
        })
        .Build();

    public Task<string> SetSuspendAsync(string name, bool suspend, CancellationToken ct) =>
        EditSpecAsync(name, job =>
        {
            if (PhaseTransitions.IsTerminal(job.Status.Phase))
            {
                throw new InvalidOperationException($"job \"{name}\" is {job.Status.Phase}; only unfinished jobs can be suspended or resumed");
            }
            return job.Spec.Suspend == suspend
                ? SpecEdit.Stop($"job \"{name}\" is already {(suspend ? "suspended" : "not suspended")}")
                : new SpecEdit(suspend ? $"job \"{name}\" suspended: pending batches held, nothing new dispatched" : $"job \"{name}\" resumed",
                    new SpecFieldEdit("suspend", suspend));
        }, ct);

    public async Task<string> CancelAsync(string name, DateTimeOffset now, CancellationToken ct)
    {
        var message = await UpdateStatusAsync(name, job =>
        {
            if (PhaseTransitions.IsTerminal(job.Status.Phase))
            {
                return $"job \"{name}\" is already {job.Status.Phase}";
            }
            StatusEditor.SetPhase(job.Status, JobPhase.Cancelled);
            job.Status.CompletedAt = now;
            job.Status.ExpiresAt = Expiry.Of(job);
            job.Status.Message = "cancelled by the user";
            StatusEditor.SetCondition(job.Status, ConditionTypes.Failed, StatusEditor.True, "Cancelled", "cancelled by the user", job.Generation, now);
            return null;
        }, ct).ConfigureAwait(false);
        if (message is not null)
        {
            return message;
        }
        if (requestReconcile is not null)
        {
            // After the status write, never before: a daemon woken first could still see the old phase and act on it.
            await requestReconcile(name, now, ct).ConfigureAwait(false);
        }
        var cancelled = 0;
        if (scheduler is not null)
        {
            cancelled = (await scheduler.CancelLiveAsync(name, ct).ConfigureAwait(false)).Count;
        }
        return $"job \"{name}\" cancelled ({cancelled} Slurm submissions cancelled)";
    }

    /// <summary>
    /// Asks the daemon to redrive by bumping spec.retryGeneration, a user's spec field, rather than writing status:
    /// status belongs to the daemon, and a status-only write does not wake it (the feed drops the daemon's own writes),
    /// so a redrive written into status could sit unseen until the next resync. The status controller resets the
    /// failed batches when it sees a retryGeneration above the one it last redrove.
    /// </summary>
    public Task<string> RedriveAsync(string name, CancellationToken ct) =>
        EditSpecAsync(name, job =>
        {
            if (job.Status.Phase != JobPhase.Failed)
            {
                throw new InvalidOperationException($"job \"{name}\" is {job.Status.Phase}; only a Failed job can be retried");
            }
            var redriven = job.Status.Conditions.FirstOrDefault(c => c.Type == Redrive.ConditionType)?.ObservedGeneration ?? 0;
            var next = Math.Max(job.Spec.RetryGeneration, redriven) + 1;
            var failed = string.IsNullOrEmpty(job.Status.FailedIndexes) ? "its failed batches" : $"its failed batches ({job.Status.FailedIndexes})";
            return new SpecEdit($"job \"{name}\": redrive {next} requested; {failed} will run again", new SpecFieldEdit("retryGeneration", next));
        }, ct);

    /// <summary>
    /// Sets spec.slurm.maxConcurrent (the %N throttle). It is left out of the spec hash, so no new generation starts:
    /// the daemon sees the edit on the feed and applies it to the job's running arrays with scontrol.
    /// </summary>
    public Task<string> ScaleAsync(string name, int maxConcurrent, CancellationToken ct)
    {
        if (maxConcurrent is < 1 or > JobSpecDefaults.MaxConcurrentLimit)
        {
            throw new ArgumentException($"--max-concurrent must be between 1 and {JobSpecDefaults.MaxConcurrentLimit}, got {maxConcurrent}");
        }
        return EditSpecAsync(name, job =>
        {
            if (PhaseTransitions.IsTerminal(job.Status.Phase))
            {
                throw new InvalidOperationException($"job \"{name}\" is {job.Status.Phase}; only unfinished jobs can be scaled");
            }
            var before = job.Spec.Slurm.MaxConcurrent;
            return before == maxConcurrent
                ? SpecEdit.Stop($"job \"{name}\" already runs at most {maxConcurrent} tasks at once")
                : new SpecEdit($"job \"{name}\" scaled: maxConcurrent {before} -> {maxConcurrent} (the daemon applies it to running arrays)",
                    new SpecFieldEdit("slurm.maxConcurrent", maxConcurrent));
        }, ct);
    }

    private async Task<Job> RequireAsync(string name, CancellationToken ct) =>
        await state.GetJobAsync(name, ct).ConfigureAwait(false) ?? throw new KeyNotFoundException($"job \"{name}\" not found");

    /// <summary>What a spec verb decided from the job it read: the fields to set (none: stop) and what to print.</summary>
    private sealed record SpecEdit(string Message, params SpecFieldEdit[] Fields)
    {
        public static SpecEdit Stop(string message) => new(message);
    }

    /// <summary>
    /// Reads the job, lets <paramref name="decide"/> pick the fields, and sets only those, conditional on their values
    /// as read (<see cref="IStateStore.UpdateJobSpecFieldsAsync"/>): another field edited meanwhile survives; this
    /// field edited meanwhile is a conflict, re-read and decided again.
    /// </summary>
    private async Task<string> EditSpecAsync(string name, Func<Job, SpecEdit> decide, CancellationToken ct) =>
        (await ConflictRetry.ExecuteAsync(async token =>
        {
            var job = await RequireAsync(name, token).ConfigureAwait(false);
            var edit = decide(job);
            if (edit.Fields.Length > 0)
            {
                await state.UpdateJobSpecFieldsAsync(job, edit.Fields, token).ConfigureAwait(false);
            }
            return edit.Message;
        }, ct).ConfigureAwait(false))!;

    /// <summary>Applies <paramref name="edit"/> (which returns a message to stop without writing) with conditional writes, re-reading on conflict.</summary>
    private Task<string?> UpdateStatusAsync(string name, Func<Job, string?> edit, CancellationToken ct) =>
        ConflictRetry.ExecuteAsync(async token =>
        {
            var job = await RequireAsync(name, token).ConfigureAwait(false);
            if (edit(job) is { } stop)
            {
                return stop;
            }
            await state.UpdateJobStatusAsync(job, token).ConfigureAwait(false);
            return null;
        }, ct).AsTask();
}
