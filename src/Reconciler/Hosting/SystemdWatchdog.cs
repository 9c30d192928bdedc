using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace Coordinator.Reconciler.Hosting;

/// <summary>
/// systemd's watchdog (WatchdogSec= in the unit): systemd sets WATCHDOG_USEC (and WATCHDOG_PID) and restarts the
/// service when no WATCHDOG=1 arrives within that interval. This sends it every half interval, but only while every
/// running loop of <see cref="DaemonLiveness"/> has beaten within the interval: a hung loop withholds the keep-alive
/// (and says which loop, once), so systemd's restart is what recovers it. Without WATCHDOG_USEC (no systemd, or no
/// WatchdogSec) it does nothing.
/// </summary>
public sealed partial class SystemdWatchdog(ISystemdNotifier notifier, DaemonLiveness liveness, ILogger<SystemdWatchdog> logger,
    TimeProvider? time = null, Func<string, string?>? environment = null) : BackgroundService
{
    private static readonly ServiceState KeepAlive = new("WATCHDOG=1");
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Func<string, string?> _environment = environment ?? Environment.GetEnvironmentVariable;

    /// <summary>The interval systemd asked for, or null when the watchdog is off for this process.</summary>
    public static TimeSpan? Interval(Func<string, string?> environment, int processId)
    {
        if (!long.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) || usec <= 0)
        {
            return null;
        }
        // WATCHDOG_PID names the process systemd watches; a child that inherited the variables is not it.
        if (environment("WATCHDOG_PID") is { Length: > 0 } pid
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var watched) || watched != processId))
        {
            return null;
        }
        return TimeSpan.FromMicroseconds(usec);
    }

    /// <summary>One check: sends the keep-alive and returns true when every running loop turned within <paramref name="interval"/>.</summary>
    public bool Check(TimeSpan interval, ref bool reportedSilence)
    {
        var silent = liveness.SilentLoops(interval);
        if (silent.Count == 0)
        {
            if (liveness.Started)
            {
                notifier.Notify(KeepAlive);
            }
            if (reportedSilence)
            {
                LogTurningAgain();
                reportedSilence = false;
            }
            return true;
        }
        if (!reportedSilence)
        {
            LogWithheld(string.Join(", ", silent.Select(s => $"{s.Loop} silent for {s.Silent.TotalSeconds:0.0} s")), interval);
            reportedSilence = true;
        }
        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled || Interval(_environment, Environment.ProcessId) is not { } interval)
        {
            return;
        }
        LogEnabled(interval);
        var reported = false;
        using var timer = new PeriodicTimer(interval / 2, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Check(interval, ref reported);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog on: a keep-alive every {Interval} / 2 while the lease and reconcile loops turn")]
    private partial void LogEnabled(TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Error, Message = "Withholding systemd's watchdog keep-alive ({Silent}; limit {Interval}): systemd will restart the daemon unless the loops turn again")]
    private partial void LogWithheld(string silent, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The daemon's loops turn again; systemd's watchdog keep-alives resume")]
    private partial void LogTurningAgain();
}
