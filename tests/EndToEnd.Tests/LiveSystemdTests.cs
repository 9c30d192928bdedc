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

    /// <summary>The unit asks for JSON (one object per line, for journald's readers and log shippers); systemd's own console formatter must not take over.</summary>
    [SkippableFact]
    public async Task DaemonOutputUnderTheUnit_IsJsonLines()
    {
        Skip.If(systemd.Unavailable is not null, systemd.Unavailable);
        var lines = await systemd.DaemonOutputAsync();
        output.WriteLine(string.Join('\n', lines.Take(5)));
        Assert.True(lines.Length >= 3, $"only {lines.Length} lines from the daemon:\n{await systemd.DiagnosticsAsync()}");
        foreach (var line in lines)
        {
            Assert.True(IsJsonObjectWithMessage(line), $"not a JSON log line: {line}\nfirst lines:\n{string.Join('\n', lines.Take(5))}");
        }
    }

    private static bool IsJsonObjectWithMessage(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("Message", out _)
                && document.RootElement.TryGetProperty("LogLevel", out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
