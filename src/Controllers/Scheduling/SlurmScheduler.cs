using System.Diagnostics;
using System.Globalization;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Coordinator.Controllers.Scheduling;

/// <summary>
/// The scheduler port over Slurm's own commands: sbatch --parsable (script on stdin), squeue --json, scontrol and
/// scancel, always through an argv list. Transient faults ("Socket timed out", "slurm_load_jobs error",
/// "Resource temporarily unavailable", controller unreachable) are retried here with exponential backoff; what still
/// fails surfaces as a <see cref="SchedulerException"/> and the job's reconcile backs off in the work queue.
/// </summary>
public sealed partial class SlurmScheduler : IScheduler
{
    private readonly ICommandRunner _runner;
    private readonly ILogger<SlurmScheduler> _logger;
    private readonly ResiliencePipeline _retry;
    private readonly CoordinatorMetrics? _metrics;
    private int? _maxArraySize;

    /// <param name="runner">Runs Slurm's commands.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="maxRetryAttempts">Retries of a transient fault.</param>
    /// <param name="retryDelay">First retry delay (exponential with jitter).</param>
    /// <param name="metrics">Where every command's latency and failures, and every sbatch's result, are recorded (the daemon's; null in CLI verbs).</param>
    public SlurmScheduler(ICommandRunner runner, ILogger<SlurmScheduler> logger, int maxRetryAttempts = 4, TimeSpan? retryDelay = null,
        CoordinatorMetrics? metrics = null)
    {
        _runner = runner;
        _logger = logger;
        _metrics = metrics;
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<SchedulerException>(e => e.Transient),
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
            .Build();
    }

    public async Task<string> SubmitAsync(SubmitRequest request, CancellationToken ct)
    {
        var script = BatchScriptBuilder.Build(request);
        var arguments = SbatchArguments.Build(request);
        var started = Stopwatch.GetTimestamp();
        string output;
        try
        {
            output = await RunAsync("sbatch", arguments, script, ct).ConfigureAwait(false);
        }
        catch (SchedulerException)
        {
            _metrics?.SlurmSubmitted("error");
            throw;
        }
        // --parsable prints "jobid" or "jobid;cluster".
        var jobId = output.Trim().Split(';')[0];
        if (!long.TryParse(jobId, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            _metrics?.SlurmSubmitted("error");
            _metrics?.SlurmFailed("sbatch", "permanent");
            throw new SchedulerException($"sbatch printed \"{output.Trim()}\" instead of a job id", transient: false);
        }
        _metrics?.SlurmSubmitted("ok");
        var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogSubmitted(_logger, request.JobName, jobId, request.ArrayIndexes, elapsedMs);
        return jobId;
    }

    public async Task<IReadOnlyList<ScheduledJob>> ListAsync(string? jobName, CancellationToken ct)
    {
        List<string> arguments = ["--json"];
        if (jobName is not null)
        {
            arguments.Add($"--name={jobName}");
        }
        var output = await RunAsync("squeue", arguments, null, ct).ConfigureAwait(false);
        return SqueueJsonReader.Read(output, jobName);
    }

    public async Task CancelAsync(string jobId, CancellationToken ct)
    {
        await RunAsync("scancel", [jobId], null, ct).ConfigureAwait(false);
        LogCancelled(_logger, jobId);
    }

    public async Task UpdateThrottleAsync(string jobId, int maxConcurrent, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxConcurrent);
        await RunAsync("scontrol", ["update", $"JobId={jobId}", $"ArrayTaskThrottle={maxConcurrent.ToString(CultureInfo.InvariantCulture)}"], null, ct)
            .ConfigureAwait(false);
        LogThrottled(_logger, jobId, maxConcurrent);
    }

    public async Task HoldAsync(string jobId, CancellationToken ct) =>
        await RunAsync("scontrol", ["hold", jobId], null, ct).ConfigureAwait(false);

    public async Task ReleaseAsync(string jobId, CancellationToken ct) =>
        await RunAsync("scontrol", ["release", jobId], null, ct).ConfigureAwait(false);

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
        await _retry.ExecuteAsync(async token =>
        {
            var started = Stopwatch.GetTimestamp();
            var result = await _runner.RunAsync(program, arguments, stdin, token).ConfigureAwait(false);
            _metrics?.SlurmCommandTook(program, Stopwatch.GetElapsedTime(started));
            if (result.ExitCode != 0)
            {
                var error = result.StandardError.Trim();
                var transient = SlurmErrors.IsTransient(result.StandardError + result.StandardOutput);
                _metrics?.SlurmFailed(program, transient ? "transient" : "permanent");
                throw new SchedulerException(
                    $"{program} exited with {result.ExitCode}: {(error.Length > 0 ? error : result.StandardOutput.Trim())}", transient);
            }
            return result.StandardOutput;
        }, ct).ConfigureAwait(false);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Submitted {JobName} as Slurm job {SlurmJobId} (array {ArrayIndexes}) in {ElapsedMs:F1} ms")]
    private static partial void LogSubmitted(ILogger logger, string jobName, string slurmJobId, string arrayIndexes, double elapsedMs);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Transient Slurm error, retry {Attempt}: {Error}")]
    private static partial void LogTransient(ILogger logger, int attempt, string error);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Cancelled Slurm job {SlurmJobId}")]
    private static partial void LogCancelled(ILogger logger, string slurmJobId);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Set ArrayTaskThrottle={MaxConcurrent} on Slurm job {SlurmJobId}")]
    private static partial void LogThrottled(ILogger logger, string slurmJobId, int maxConcurrent);
}
