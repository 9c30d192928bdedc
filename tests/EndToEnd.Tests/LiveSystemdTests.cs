using System.Text.Json;
using Xunit.Abstractions;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// deploy/systemd/coordinator.service under a live systemd (<see cref="LiveSystemd"/>): Type=notify with the unit's
/// hardening (ProtectProc=invisible among it) must hear READY=1, so `systemctl start` returns and the unit is active.
/// Skipped with the reason where a container cannot be booted (not root, no cgroups, no local stack); CI runs as root.
/// </summary>
public sealed class LiveSystemdTests(LiveSystemd systemd, ITestOutputHelper output) : IClassFixture<LiveSystemd>
{
    [SkippableFact]
    public async Task SystemctlStart_Returns_AndTheUnitIsActive()
    {
        Skip.If(systemd.Unavailable is not null, systemd.Unavailable);
        output.WriteLine($"systemctl start coordinator: exit {systemd.Start!.ExitCode} after {systemd.StartTook.TotalSeconds:0.0} s");
        var state = await systemd.PropertyAsync("ActiveState");
        var sub = await systemd.PropertyAsync("SubState");
        Assert.True(systemd.Start.ExitCode == 0 && state == "active",
            $"ActiveState={state} SubState={sub}\n{await systemd.DiagnosticsAsync()}");
    }

    /// <summary>
    /// The unit logs with journald's native protocol: each value of a log line is a journal field, so a job's lines carry
    /// JOB_NAME (from the reconcile's scope), and priorities and the identifier are journald's own.
    /// </summary>
    [SkippableFact]
    public async Task TheJournal_CarriesTheJobNameAndOtherValuesAsFields()
    {
        Skip.If(systemd.Unavailable is not null, systemd.Unavailable);
        var job = "journal-" + Guid.NewGuid().ToString("N")[..6];
        await systemd.PutJobAsync(job);
        var entries = Array.Empty<JsonElement>();
        var found = await LiveSystemd.EventuallyAsync(async () =>
        {
            entries = await systemd.JournalEntriesAsync($"JOB_NAME={job}");
            return entries.Length > 0;
        }, TimeSpan.FromSeconds(60));
        output.WriteLine(string.Join('\n', entries.Take(5).Select(e => e.GetRawText())));
        Assert.True(found, $"no journal entry with JOB_NAME={job}:\n{await systemd.DiagnosticsAsync()}");
        var entry = entries[0];
        Assert.Equal("coordinator", entry.GetProperty("SYSLOG_IDENTIFIER").GetString());
        Assert.Equal("coordinator.service", entry.GetProperty("_SYSTEMD_UNIT").GetString());
        Assert.Matches("^[0-7]$", entry.GetProperty("PRIORITY").GetString());
        Assert.True(entry.TryGetProperty("LOGGER", out _), entry.GetRawText());
        Assert.Contains(job, entry.GetProperty("MESSAGE").GetString(), StringComparison.Ordinal);

        var all = await systemd.JournalEntriesAsync("_SYSTEMD_UNIT=coordinator.service", "SYSLOG_IDENTIFIER=coordinator");
        Assert.Contains(all, e => e.TryGetProperty("IDENTITY", out _) && e.GetProperty("MESSAGE").GetString()!.Contains("acquired the lease", StringComparison.Ordinal));
    }

    /// <summary>A daemon killed outright (SIGKILL: no graceful stop) is started again by systemd (Restart=on-failure).</summary>
    [SkippableFact]
    public async Task AKilledDaemon_IsRestartedBySystemd()
    {
        Skip.If(systemd.Unavailable is not null, systemd.Unavailable);
        var before = await ActiveMainPidAsync();
        var restarts = int.Parse(await systemd.PropertyAsync("NRestarts"), System.Globalization.CultureInfo.InvariantCulture);
        (await systemd.RunInsideAsync("systemctl", "kill", "--kill-whom=main", "--signal=SIGKILL", "coordinator")).EnsureSuccess("systemctl kill SIGKILL");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var back = await LiveSystemd.EventuallyAsync(async () => await IsActiveWithNewPidAsync(before), TimeSpan.FromSeconds(40));
        output.WriteLine($"kill -9 {before}: active again with MainPID {await systemd.PropertyAsync("MainPID")} after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(back, $"not restarted after kill -9:\n{await systemd.DiagnosticsAsync()}");
        Assert.True(int.Parse(await systemd.PropertyAsync("NRestarts"), System.Globalization.CultureInfo.InvariantCulture) > restarts);
    }

    /// <summary>
    /// A daemon that stops turning (here: SIGSTOP, so no keep-alive can come) is restarted by systemd's watchdog
    /// (WatchdogSec, 4 s in the test drop-in), where Restart=on-failure alone would wait for ever.
    /// </summary>
    [SkippableFact]
    public async Task AHungDaemon_IsRestartedByTheWatchdog()
    {
        Skip.If(systemd.Unavailable is not null, systemd.Unavailable);
        var before = await ActiveMainPidAsync();
        Assert.Equal("4s", await systemd.PropertyAsync("WatchdogUSec"));
        // Keep-alives are flowing before the hang: the daemon saw WATCHDOG_USEC and its loops turn.
        Assert.True(await LiveSystemd.EventuallyAsync(async () => (await systemd.PropertyAsync("WatchdogTimestampMonotonic")) is not ("" or "0"),
            TimeSpan.FromSeconds(10)), "no keep-alive from the daemon before the hang:\n" + await systemd.DiagnosticsAsync());
        (await systemd.RunInsideAsync("systemctl", "kill", "--kill-whom=main", "--signal=SIGSTOP", "coordinator")).EnsureSuccess("systemctl kill SIGSTOP");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var back = await LiveSystemd.EventuallyAsync(async () => await IsActiveWithNewPidAsync(before), TimeSpan.FromSeconds(60));
        output.WriteLine($"SIGSTOP {before}: active again with MainPID {await systemd.PropertyAsync("MainPID")} after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(back, $"a hung daemon was not restarted:\n{await systemd.DiagnosticsAsync()}");
        var journal = string.Join('\n', await systemd.JournalAsync());
        Assert.Contains("watchdog timeout", journal, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>`systemctl stop` ends the daemon gracefully (exit 0, inside TimeoutStopSec) and it releases the lease on the way out.</summary>
    [SkippableFact]
    public async Task SystemctlStop_IsGraceful_AndReleasesTheLease()
    {
        Skip.If(systemd.Unavailable is not null, systemd.Unavailable);
        await ActiveMainPidAsync();
        Assert.True(await LiveSystemd.EventuallyAsync(async () => (await systemd.LeaseHoldersAsync()) is [{ Length: > 0 }], TimeSpan.FromSeconds(30)),
            "the daemon never held the lease: holders " + string.Join(", ", await systemd.LeaseHoldersAsync()));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stop = await systemd.RunInsideAsync(TimeSpan.FromSeconds(90), "systemctl", "stop", "coordinator");
        output.WriteLine($"systemctl stop: exit {stop.ExitCode} after {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(0, stop.ExitCode);
        Assert.Equal("inactive", await systemd.PropertyAsync("ActiveState"));
        Assert.Equal("success", await systemd.PropertyAsync("Result"));
        var holders = await systemd.LeaseHoldersAsync();
        Assert.True(holders is [""], $"the lease was not released: holders [{string.Join(", ", holders)}]");
        Assert.Contains("released the lease", string.Join('\n', await systemd.JournalAsync()), StringComparison.Ordinal);
        (await systemd.RunInsideAsync(TimeSpan.FromSeconds(90), "systemctl", "start", "coordinator")).EnsureSuccess("systemctl start (after stop)");
    }

    /// <summary>Starts the unit if a test before stopped it, then its MainPID once active.</summary>
    private async Task<string> ActiveMainPidAsync()
    {
        if (await systemd.PropertyAsync("ActiveState") != "active")
        {
            (await systemd.RunInsideAsync(TimeSpan.FromSeconds(90), "systemctl", "start", "coordinator")).EnsureSuccess("systemctl start");
        }
        var pid = await systemd.PropertyAsync("MainPID");
        Assert.True(pid is not ("" or "0"), $"no MainPID:\n{await systemd.DiagnosticsAsync()}");
        return pid;
    }

    private async Task<bool> IsActiveWithNewPidAsync(string before)
    {
        var pid = await systemd.PropertyAsync("MainPID");
        return pid is not ("" or "0") && pid != before && await systemd.PropertyAsync("ActiveState") == "active"
            && await systemd.PropertyAsync("SubState") == "running";
    }

}
