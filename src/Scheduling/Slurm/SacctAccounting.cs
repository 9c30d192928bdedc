using System.Diagnostics;
using System.Globalization;
using Coordinator.Controllers.Metrics;
using Coordinator.Controllers.Ports;
using Coordinator.Scheduling.Commands;

namespace Coordinator.Scheduling.Slurm;

/// <summary>
/// The accounting port over `sacct --json` (<see cref="SacctJsonReader"/>): this user's jobs in a bounded window
/// (<c>--starttime=now-Ns --endtime=now</c>), of which only this deployment's are kept. One sacct serves every job's
/// pass: a result is reused for <see cref="MinInterval"/>, and concurrent callers share the call in flight, so the
/// daemon runs at most one sacct per interval for the whole deployment, never one per job; and only when some job
/// has a task that left squeue without an outcome (the status controller asks then, and only then).
/// A cluster without accounting (AccountingStorageType=none: "Slurm accounting storage is disabled") answers with
/// nothing, so those tasks stay "lost" as before.
/// </summary>
public sealed class SacctAccounting(ICommandRunner runner, CoordinatorMetrics metrics, string deployment, TimeProvider time) : ISchedulerAccounting, IDisposable
{
    /// <summary>How long one sacct result answers every caller.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, TimeSpan Window, IReadOnlyList<AccountedTask> Tasks)? _last;
    private bool _disabled;

    public void Dispose() => _gate.Dispose();

    /// <summary>True until sacct said the cluster keeps no accounting.</summary>
    public bool Available => !_disabled;

    /// <summary>How many sacct commands this adapter ran (for the RPC budget).</summary>
    public int Calls { get; private set; }

    public async Task<IReadOnlyList<AccountedTask>> EndedAsync(TimeSpan window, CancellationToken ct)
    {
        if (_disabled)
        {
            return [];
        }
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (_last is { } last && now - last.At < MinInterval && last.Window >= window)
            {
                return last.Tasks;
            }
            var seconds = Math.Max(1, (long)Math.Ceiling(window.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            var started = Stopwatch.GetTimestamp();
            Calls++;
            var result = await runner.RunAsync("sacct",
                ["--json", $"--user={Environment.UserName}", $"--starttime=now-{seconds}seconds", "--endtime=now"], null, ct).ConfigureAwait(false);
            metrics.SlurmCommandTook("sacct", Stopwatch.GetElapsedTime(started));
            if (result.ExitCode != 0)
            {
                var text = (result.StandardError + result.StandardOutput).Trim();
                if (text.Contains("accounting storage is disabled", StringComparison.OrdinalIgnoreCase))
                {
                    _disabled = true;
                    return [];
                }
                metrics.SlurmFailed("sacct", "transient");
                throw new SchedulerException($"sacct exited with {result.ExitCode}: {text}", transient: true);
            }
            IReadOnlyList<AccountedTask> tasks;
            try
            {
                tasks = SacctJsonReader.Read(result.StandardOutput, deployment);
            }
            catch (System.Text.Json.JsonException e)
            {
                metrics.SlurmFailed("sacct", "transient");
                throw new SchedulerException($"sacct printed output that is not JSON ({e.Message})", transient: true, e);
            }
            _last = (now, window, tasks);
            return tasks;
        }
        finally
        {
            _gate.Release();
        }
    }
}
