using Coordinator.Testing;
using Coordinator.Testing.Processes;

namespace Coordinator.Chaos.Tests;

/// <summary>
/// Stops the one shared slurmctld and brings it back exactly as localstack/up starts it: lib/slurm.sh's own
/// <c>slurm_up</c>, pointed at the state directory of the running stack (the one SLURM_CONF lives in), which starts
/// <c>slurmctld -f $conf</c> detached and waits until the node is idle/mixed/allocated (resuming it if it came back
/// DOWN). Only slurmctld is stopped — slurmd, munged, moto are never touched — and only when it is the stack's own
/// (exactly one slurmctld, started with <c>-f $SLURM_CONF</c>). Disposing always restarts it if it is still down.
/// <para>
/// slurmctld is shared with other people's benchmarks on this machine: while it is down, the file named by
/// $CHAOS_SLURM_BUSY_FILE (if set) holds the time and "slurmctld outage test running", and is deleted afterwards.
/// </para>
/// </summary>
internal sealed class SlurmctldOutage : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly string _conf;
    private readonly string? _busyFile = Environment.GetEnvironmentVariable("CHAOS_SLURM_BUSY_FILE") is { Length: > 0 } f ? f : null;
    private bool _down;

    public SlurmctldOutage(IReadOnlyDictionary<string, string?> environment)
    {
        _environment = environment;
        _conf = environment["SLURM_CONF"]!;
    }

    public DateTime? StoppedAt { get; private set; }
    public DateTime? BackAt { get; private set; }
    public TimeSpan Length => (BackAt ?? DateTime.UtcNow) - (StoppedAt ?? DateTime.UtcNow);

    /// <summary>Why this machine's slurmctld must not be stopped by a test, or null when it may.</summary>
    public static string? Unavailable(IReadOnlyDictionary<string, string?> environment)
    {
        var conf = environment["SLURM_CONF"];
        // The multi-node test cluster (localstack/up --nodes 3) runs a slurmctld of its own: only the one started with
        // this stack's -f SLURM_CONF is the stack's.
        var all = Pids();
        var pids = StackPids(conf);
        if (pids.Count != 1)
        {
            return $"expected exactly one slurmctld started with -f {conf} (SLURM_CONF), found {pids.Count} (of {all.Count} slurmctld processes)";
        }
        return SlurmLib() is null ? "localstack/lib/slurm.sh not found above the test directory" : null;
    }

    /// <summary>SIGTERM (slurmctld saves its state and exits), SIGKILL after 10 s as localstack/down does; returns when it is gone.</summary>
    public async Task StopAsync()
    {
        var pid = Assert.Single(StackPids(_environment["SLURM_CONF"]));
        if (_busyFile is not null)
        {
            await File.WriteAllTextAsync(_busyFile, $"{DateTime.UtcNow:O} slurmctld outage test running (pid {Environment.ProcessId})\n");
        }
        _down = true;
        StoppedAt = DateTime.UtcNow;
        (await ProcessRunner.RunAsync("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], _environment, TimeSpan.FromSeconds(10)))
            .EnsureSuccess("kill -TERM slurmctld");
        for (var deadline = DateTime.UtcNow.AddSeconds(10); IsAlive(pid) && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(100);
        }
        if (IsAlive(pid))
        {
            await ProcessRunner.RunAsync("kill", ["-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], _environment, TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>localstack's slurm_up against the running stack's state directory; then checks slurmctld answers and the node is usable.</summary>
    public async Task RestartAsync()
    {
        if (!_down)
        {
            return;
        }
        var lib = SlurmLib()!;
        var state = Path.GetDirectoryName(Path.GetDirectoryName(_conf))!;
        var environment = new Dictionary<string, string?>(_environment) { ["COORDINATOR_STACK_STATE"] = state };
        var up = await ProcessRunner.RunAsync("bash", ["-c", "set -e; source \"$1/common.sh\"; source \"$1/slurm.sh\"; slurm_up", "slurm-up", lib],
            environment, TimeSpan.FromMinutes(3));
        up.EnsureSuccess($"slurm_up (localstack/lib/slurm.sh) with COORDINATOR_STACK_STATE={state}");
        var node = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(500))
        {
            node = (await ProcessRunner.RunAsync("sinfo", ["-h", "-N", "-o", "%T"], _environment, TimeSpan.FromSeconds(30))).StandardOutput.Trim();
            if (node.StartsWith("idle", StringComparison.Ordinal) || node.StartsWith("mixed", StringComparison.Ordinal)
                || node.StartsWith("allocated", StringComparison.Ordinal))
            {
                break;
            }
        }
        _down = false;
        BackAt = DateTime.UtcNow;
        if (_busyFile is not null)
        {
            File.Delete(_busyFile);
        }
        Assert.True(StackPids(_environment["SLURM_CONF"]).Count == 1, "slurmctld is not running after slurm_up");
        Assert.True(node.StartsWith("idle", StringComparison.Ordinal) || node.StartsWith("mixed", StringComparison.Ordinal)
            || node.StartsWith("allocated", StringComparison.Ordinal), $"node state after the restart: \"{node}\"");
    }

    /// <summary>Restarts slurmctld if a test left it down (the busy file stays if even that fails: someone must look).</summary>
    public async ValueTask DisposeAsync() => await RestartAsync();

    /// <summary>Live slurmctld processes. A zombie is not one: here nobody reaps an exited daemon at once (it is a child of pid 1).</summary>
    private static List<int> StackPids(string? conf) => Pids().Where(pid => ConfOf(pid) == conf).ToList();

    private static List<int> Pids() => Directory.EnumerateDirectories("/proc")
        .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
        .Where(pid => pid > 0 && Stat(pid) is { } stat && stat.Comm == "slurmctld" && stat.State != 'Z')
        .ToList();

    private static bool IsAlive(int pid) => Stat(pid) is { State: not ('Z' or 'X') };

    /// <summary>/proc/PID/stat's "(comm) state" fields, or null when the process is gone.</summary>
    private static (string Comm, char State)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            return open < 0 || close < open || close + 2 >= stat.Length ? null : (stat[(open + 1)..close], stat[close + 2]);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The value after -f on the process's command line (as lib/slurm.sh's slurm_foreign_conf reads it).</summary>
    private static string? ConfOf(int pid)
    {
        var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
        var at = Array.IndexOf(argv, "-f");
        return at >= 0 && at + 1 < argv.Length ? argv[at + 1] : null;
    }

    private static string? SlurmLib() =>
        RepoFiles.FindUp(Path.Combine("localstack", "lib", "slurm.sh")) is { } slurm && Path.GetDirectoryName(slurm) is { } lib
            && File.Exists(Path.Combine(lib, "common.sh"))
            ? lib
            : null;
}
