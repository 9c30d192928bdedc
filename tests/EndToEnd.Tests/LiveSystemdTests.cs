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
}
