namespace Coordinator.Chaos.Tests;

/// <summary>
/// One stack and one daemon for the skewed-clock tests. Workers run through a wrapper that starts them under Debian's
/// `faketime` (libfaketime, LD_PRELOAD) when the job's name says so: `-behind-` 5 minutes slow, `-ahead-` 5 minutes
/// fast, so one daemon serves both directions at once. The heartbeat interval is 2 s (StaleAfter 12 s), so a handler
/// of 20 s outlives StaleAfter and a killed worker is found in seconds; the setting reaches the workers through the
/// environment sbatch exports.
/// </summary>
public sealed class SkewedClockStackFixture : IAsyncLifetime
{
    /// <summary>The heartbeat interval the daemon and its workers run with.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    /// <summary>How far off the skewed workers' clocks are.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    internal ChaosStack? Stack { get; private set; }

    /// <summary>Null when `faketime` is installed (localstack/up installs it), else why the tests cannot run.</summary>
    public static string? FaketimeMissing => File.Exists("/usr/bin/faketime") ? null : "faketime is not installed: run localstack/up (it installs Debian's faketime)";

    public async Task InitializeAsync()
    {
        if (ChaosStack.Unavailable is null && FaketimeMissing is null)
        {
            Stack = new ChaosStack("skew");
            await Stack.InitAsync();
            var wrapper = Path.Combine(Stack.Work, "skewed-worker");
            File.WriteAllText(wrapper, $"""
                #!/bin/sh
                # The worker as a node with a wrong clock runs it; the job's name says which way.
                case "$*" in
                  *-behind-*) exec /usr/bin/faketime -f -{Skew.TotalMinutes}m "{ChaosStack.Executable}" "$@" ;;
                  *-ahead-*) exec /usr/bin/faketime -f +{Skew.TotalMinutes}m "{ChaosStack.Executable}" "$@" ;;
                esac
                exec "{ChaosStack.Executable}" "$@"
                """.Replace("\r", "", StringComparison.Ordinal) + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
            Stack.StartDaemon("daemon", new Dictionary<string, string?>
            {
                ["COORDINATOR__SLURM__WORKEREXECUTABLE"] = wrapper,
                ["COORDINATOR__HEARTBEAT__INTERVAL"] = HeartbeatInterval.ToString(),
            });
        }
    }

    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }
}
