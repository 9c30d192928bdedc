using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Commands;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Coordinator.Scheduling.Slurm;

/// <summary>
/// The scheduler port over Slurm's own commands: sbatch --parsable (script on stdin), squeue --json, scontrol and
/// scancel, always through an argv list. Transient faults ("Socket timed out", "slurm_load_jobs error",
/// "Resource temporarily unavailable", controller unreachable) are retried here with exponential backoff; what still
/// fails surfaces as a <see cref="SchedulerException"/> and the job's reconcile backs off in the work queue.
/// <para>
/// Scoped to one deployment on a cluster it may share: every submission's --comment carries the deployment
/// (<see cref="DeploymentComment"/>), squeue lists only the submitting user's jobs (--me) and of those only the ones
/// with this deployment's mark, and scancel/scontrol run only on job ids such a listing (or this adapter's own sbatch)
/// returned; anything else is refused without running a Slurm command.
/// </para>
/// </summary>
public sealed partial class SlurmScheduler : IScheduler
{
    /// <summary>Retries of a transient fault unless told otherwise.</summary>
    public const int DefaultMaxRetryAttempts = 4;

    private readonly ICommandRunner _runner;
    private readonly ILogger<SlurmScheduler> _logger;
    private readonly ResiliencePipeline _retry;
    private readonly CoordinatorMetrics _metrics;
    private readonly TimeSpan _breakDuration;
    private string _lastUnreachable = "";
    private int? _maxArraySize;

    /// <summary>The deployment whose submissions this adapter sees and acts on.</summary>
    public string Deployment { get; }

    /// <summary>Job ids this deployment may act on (its own listings and submissions), with when they were last seen.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _owned = new(StringComparer.Ordinal);

    /// <summary>How long a job id no listing shows any more stays actionable (a cancel racing its end, a CLI verb).</summary>
    private static readonly TimeSpan OwnedGrace = TimeSpan.FromMinutes(10);

    /// <param name="runner">Runs Slurm's commands.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="metrics">Where every command's latency and failures, and every sbatch's result, are recorded (a no-op instance in CLI verbs).</param>
    /// <param name="deployment">The deployment whose submissions this adapter sees and acts on.</param>
    /// <param name="maxRetryAttempts">Retries of a transient fault.</param>
    /// <param name="retryDelay">First retry delay (exponential with jitter).</param>
    /// <param name="unreachableRetries">
    /// Retries, within one call, of a controller that did not answer at all ("Unable to contact slurm controller",
    /// or squeue's JSON "errors"). None by default: the Slurm client has already retried the connection itself for its
    /// MessageTimeout (a refused connect took 9 s here), so Polly retries would hold a reconcile for most of a minute
    /// and learn nothing new. The dispatch and status controllers' outage backoff (<see cref="SlurmOutage"/>) takes it
    /// from there, with a condition on the job.
    /// </param>
    /// <param name="breakDuration">
    /// After two calls in a row found slurmctld unreachable, how long further calls fail at once without running a
    /// Slurm command; then one call probes, and an answer closes the circuit (Polly's circuit breaker). Without it,
    /// every job's pass during an outage would spend the client's ~9 s connect timeout in turn, and with four reconcile
    /// workers a hundred jobs would each be looked at only every few minutes — and resume that late. Default 5 s.
    /// </param>
    public SlurmScheduler(ICommandRunner runner, ILogger<SlurmScheduler> logger, CoordinatorMetrics metrics, string deployment, int maxRetryAttempts = DefaultMaxRetryAttempts,
        TimeSpan? retryDelay = null, int unreachableRetries = 0, TimeSpan? breakDuration = null)
    {
        if (!DeploymentIdentity.IsValid(deployment))
        {
            throw new ArgumentException($"deployment \"{deployment}\" must match {DeploymentIdentity.Pattern}", nameof(deployment));
        }
        Deployment = deployment;
        _runner = runner;
        _logger = logger;
        _metrics = metrics;
        _breakDuration = breakDuration ?? TimeSpan.FromSeconds(5);
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is SchedulerException { IsTransient: true } e
                    && (!e.Unreachable || args.AttemptNumber < unreachableRetries)),
                MaxRetryAttempts = maxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retryDelay ?? TimeSpan.FromMilliseconds(500),
                OnRetry = args =>
                {
                    LogTransient(_logger, args.AttemptNumber + 1, args.Outcome.Exception?.Message ?? "");
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is SchedulerException { Unreachable: true }),
                FailureRatio = 1.0,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = _breakDuration,
                OnOpened = args =>
                {
                    _lastUnreachable = args.Outcome.Exception?.Message ?? "";
                    LogCircuitOpened(_logger, _breakDuration.TotalSeconds, _lastUnreachable);
                    return default;
                },
                OnClosed = _ =>
                {
                    LogCircuitClosed(_logger);
                    return default;
                },
            })
            .Build();
    }

    /// <summary>
    /// sbatch, retried on transient faults — but a retry first looks for the submission's comment (the dispatch token)
    /// in squeue: "Socket timed out" can come after slurmctld accepted the job, and submitting it again would run every
    /// batch twice.
    /// </summary>
    public async Task<string> SubmitAsync(SubmitRequest request, CancellationToken ct)
    {
        var script = BatchScriptBuilder.Build(request);
        var arguments = SbatchArguments.Build(request, DeploymentComment.Mark(Deployment, request.Token));
        var started = Stopwatch.GetTimestamp();
        var tries = 0;
        string jobId;
        try
        {
            jobId = await ExecuteAsync(async token =>
            {
                if (tries++ > 0 && await FindSubmittedAsync(request, token).ConfigureAwait(false) is { } found)
                {
                    LogFoundAfterRetry(_logger, request.JobName, found, request.Token);
                    return found;
                }
                return ParseJobId(await RunOnceAsync("sbatch", arguments, script, token).ConfigureAwait(false));
            }, ct).ConfigureAwait(false);
        }
        catch (SchedulerException)
        {
            _metrics.SlurmSubmitted("error");
            throw;
        }
        _metrics.SlurmSubmitted("ok");
        _owned[jobId] = Environment.TickCount64;
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogSubmitted(_logger, request.JobName, jobId, request.ArrayIndexes, elapsedMs);
        return jobId;
    }

    /// <summary>The id of a live or finished submission of this job carrying exactly this request's comment, if squeue shows one.</summary>
    private async Task<string?> FindSubmittedAsync(SubmitRequest request, CancellationToken ct)
    {
        var listed = Scope(ReadQueue(await RunOnceAsync("squeue", ["--json", "--me", $"--name={request.JobName}"], null, ct).ConfigureAwait(false), request.JobName));
        return listed.FirstOrDefault(j => string.Equals(j.Comment, request.Token, StringComparison.Ordinal))?.JobId;
    }

    /// <summary>
    /// squeue's JSON, its "errors" counted as failed squeue calls like a non-zero exit would be. Output that is not
    /// JSON (cut short) is transient too: retried, and never read as an empty queue.
    /// </summary>
    private IReadOnlyList<ScheduledJob> ReadQueue(string json, string? jobName)
    {
        try
        {
            return SqueueJsonReader.Read(json, jobName);
        }
        catch (SchedulerException)
        {
            _metrics.SlurmFailed("squeue", "transient");
            throw;
        }
        catch (JsonException e)
        {
            _metrics.SlurmFailed("squeue", "transient");
            var start = json.Length > 200 ? json[..200] + "…" : json;
            throw new SchedulerException($"squeue printed output that is not JSON ({e.Message}): {start}", transient: true, e);
        }
    }

    /// <summary>--parsable prints "jobid" or "jobid;cluster"; anything else is a permanent error.</summary>
    private string ParseJobId(string output)
    {
        var jobId = output.Trim().Split(';')[0];
        if (!long.TryParse(jobId, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            _metrics.SlurmFailed("sbatch", "permanent");
            throw new SchedulerException($"sbatch printed \"{output.Trim()}\" instead of a job id", transient: false);
        }
        return jobId;
    }

    /// <summary>This deployment's live submissions (this user's, carrying this deployment's mark), comments unmarked.</summary>
    public async Task<IReadOnlyList<ScheduledJob>> ListAsync(string? jobName, CancellationToken ct)
    {
        List<string> arguments = ["--json", "--me"];
        if (jobName is not null)
        {
            arguments.Add($"--name={jobName}");
        }
        // Parsed inside the retry: squeue --json reports an unreachable controller in its output, not its exit code.
        var jobs = Scope(await ExecuteAsync(async token =>
            ReadQueue(await RunOnceAsync("squeue", arguments, null, token).ConfigureAwait(false), jobName), ct).ConfigureAwait(false));
        if (jobName is null)
        {
            ForgetUnlisted(jobs);
        }
        return jobs;
    }

    /// <summary>Keeps this deployment's submissions, their comments without the mark, and remembers their ids as actionable.</summary>
    private List<ScheduledJob> Scope(IReadOnlyList<ScheduledJob> listed)
    {
        var now = Environment.TickCount64;
        var mine = new List<ScheduledJob>();
        foreach (var job in listed)
        {
            if (DeploymentComment.Unmark(Deployment, job.Comment) is { } comment)
            {
                _owned[job.JobId] = now;
                mine.Add(job with { Comment = comment });
            }
        }
        return mine;
    }

    /// <summary>After a full listing: ids it no longer shows, and not seen for <see cref="OwnedGrace"/>, are forgotten (memory stays bounded).</summary>
    private void ForgetUnlisted(List<ScheduledJob> listed)
    {
        var cutoff = Environment.TickCount64 - (long)OwnedGrace.TotalMilliseconds;
        foreach (var (id, seen) in _owned)
        {
            if (seen < cutoff && !listed.Exists(j => j.JobId == id))
            {
                _owned.TryRemove(id, out _);
            }
        }
    }

    /// <summary>scancel and scontrol only on a job this deployment listed or submitted: never another deployment's or user's.</summary>
    private void EnsureOwned(string jobId, string action)
    {
        if (!_owned.ContainsKey(jobId))
        {
            _metrics.SlurmFailed(action, "permanent");
            throw new SchedulerException(
                $"{action} of Slurm job {jobId} refused: it is not a submission of deployment {Deployment} (none of its listings or submissions showed it)",
                transient: false);
        }
    }

    public async Task CancelAsync(string jobId, CancellationToken ct)
    {
        // One array task ("123_4") is owned when its array is.
        EnsureOwned(jobId.Split('_')[0], "scancel");
        await ActAsync("scancel", [jobId], ct).ConfigureAwait(false);
        LogCancelled(_logger, jobId);
    }

    public async Task UpdateThrottleAsync(string jobId, int maxConcurrent, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxConcurrent);
        EnsureOwned(jobId, "scontrol");
        await ActAsync("scontrol", ["update", $"JobId={jobId}", $"ArrayTaskThrottle={maxConcurrent.ToString(CultureInfo.InvariantCulture)}"], ct)
            .ConfigureAwait(false);
        LogThrottled(_logger, jobId, maxConcurrent);
    }

    public async Task HoldAsync(string jobId, CancellationToken ct)
    {
        EnsureOwned(jobId, "scontrol");
        await ActAsync("scontrol", ["hold", jobId], ct).ConfigureAwait(false);
    }

    public async Task ReleaseAsync(string jobId, CancellationToken ct)
    {
        EnsureOwned(jobId, "scontrol");
        await ActAsync("scontrol", ["release", jobId], ct).ConfigureAwait(false);
    }

    public async Task<int> GetMaxArraySizeAsync(CancellationToken ct)
    {
        if (_maxArraySize is { } cached)
        {
            return cached;
        }
        var output = await RunAsync("scontrol", ["show", "config"], null, ct).ConfigureAwait(false);
        _maxArraySize = SlurmConfigReader.MaxArraySize(output);
        return _maxArraySize.Value;
    }

    private async Task<string> RunAsync(string program, IReadOnlyList<string> arguments, string? stdin, CancellationToken ct) =>
        await ExecuteAsync(async token => await RunOnceAsync(program, arguments, stdin, token).ConfigureAwait(false), ct).ConfigureAwait(false);

    /// <summary>scancel/scontrol on a listed submission: tasks that ended meanwhile are not an error (<see cref="SlurmErrors.OnlyEndedTasks"/>).</summary>
    private async Task ActAsync(string program, IReadOnlyList<string> arguments, CancellationToken ct) =>
        await ExecuteAsync(async token => await RunOnceAsync(program, arguments, null, token, endedIsSuccess: true).ConfigureAwait(false), ct).ConfigureAwait(false);

    /// <summary>Runs <paramref name="call"/> through the retry and the circuit breaker; an open circuit is an unreachable controller.</summary>
    private async Task<T> ExecuteAsync<T>(Func<CancellationToken, ValueTask<T>> call, CancellationToken ct)
    {
        try
        {
            return await _retry.ExecuteAsync(call, ct).ConfigureAwait(false);
        }
        catch (BrokenCircuitException e)
        {
            throw new SchedulerException(string.Create(CultureInfo.InvariantCulture,
                $"Slurm unreachable: not asked again for up to {_breakDuration.TotalSeconds:F0} s after repeated failures (last: {_lastUnreachable})"),
                transient: true, e, unreachable: true);
        }
    }

    /// <summary>One run of a Slurm command; a non-zero exit becomes a <see cref="SchedulerException"/> classified by its message.</summary>
    private async Task<string> RunOnceAsync(string program, IReadOnlyList<string> arguments, string? stdin, CancellationToken ct, bool endedIsSuccess = false)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await _runner.RunAsync(program, arguments, stdin, ct).ConfigureAwait(false);
        _metrics.SlurmCommandTook(program, Stopwatch.GetElapsedTime(started));
        if (result.ExitCode != 0 && endedIsSuccess && SlurmErrors.OnlyEndedTasks(result.StandardError + result.StandardOutput))
        {
            return result.StandardOutput;
        }
        if (result.ExitCode != 0)
        {
            var error = result.StandardError.Trim();
            var text = result.StandardError + result.StandardOutput;
            // A client without its configuration also prints "Unable to contact slurm controller": configuration first.
            var configuration = SlurmErrors.IsConfiguration(text);
            var transient = !configuration && SlurmErrors.IsTransient(text);
            var fault = configuration ? SchedulerFault.Configuration
                : transient ? (SlurmErrors.IsUnreachable(text) ? SchedulerFault.Unreachable : SchedulerFault.Transient)
                : program == "sbatch" && SlurmErrors.IsRefusal(text) ? SchedulerFault.Refused
                : SchedulerFault.Other;
            _metrics.SlurmFailed(program, transient ? "transient" : fault == SchedulerFault.Configuration ? "configuration" : "permanent");
            throw new SchedulerException(
                $"{program} exited with {result.ExitCode}: {(error.Length > 0 ? error : result.StandardOutput.Trim())}", transient,
                unreachable: fault == SchedulerFault.Unreachable, fault: fault);
        }
        return result.StandardOutput;
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Submitted {JobName} as Slurm job {SlurmJobId} (array {ArrayIndexes}) in {ElapsedMs:F1} ms")]
    private static partial void LogSubmitted(ILogger logger, string jobName, string slurmJobId, string arrayIndexes, double elapsedMs);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Transient Slurm error, retry {Attempt}: {Error}")]
    private static partial void LogTransient(ILogger logger, int attempt, string error);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Cancelled Slurm job {SlurmJobId}")]
    private static partial void LogCancelled(ILogger logger, string slurmJobId);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Warning, Message = "Slurm unreachable twice in a row: Slurm commands fail at once for {BreakSeconds} s, then one probes: {Error}")]
    private static partial void LogCircuitOpened(ILogger logger, double breakSeconds, string error);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "Slurm answers again: Slurm commands run normally")]
    private static partial void LogCircuitClosed(ILogger logger);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "sbatch of {JobName} failed transiently but Slurm job {SlurmJobId} carries its comment {Comment}: not submitting again")]
    private static partial void LogFoundAfterRetry(ILogger logger, string jobName, string slurmJobId, string comment);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Set ArrayTaskThrottle={MaxConcurrent} on Slurm job {SlurmJobId}")]
    private static partial void LogThrottled(ILogger logger, string slurmJobId, int maxConcurrent);
}
