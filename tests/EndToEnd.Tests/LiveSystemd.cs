using System.Diagnostics;
using Coordinator.Testing;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Stack;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// The daemon installed as an operator installs it (deploy/systemd/install, the unit from deploy/systemd/), started by a
/// live systemd: a Debian container booted with systemd-nspawn (localstack/lib/systemd-machine, rootfs built once by
/// localstack/lib/systemd-rootfs and cached under localstack/.state) on the host's network, so the daemon inside reaches
/// the local stack on 127.0.0.1. The staged tree is the framework-dependent build next to the tests, bind-mounted read-only
/// at /opt/coordinator with the host's .NET runtime at its own path (a self-contained publish costs CI a minute or two
/// and changes nothing systemd sees). A test drop-in only shortens timeouts (start 30 s, restart 1 s, watchdog 4 s, abort 2 s)
/// so a failure costs seconds. The service is started once per class: <see cref="Start"/> is what `systemctl start` did.
/// </summary>
public sealed class LiveSystemd : IAsyncLifetime, IAsyncDisposable
{
    private const string DotnetRoot = "/usr/share/dotnet";
    private readonly string _machine = "coord-" + Guid.NewGuid().ToString("N")[..8];
    private SystemdStack? _stack;
    private string? _root;
    private bool _booted;

    /// <summary>Why the live systemd cannot run here (not root, no cgroups, no stack), else null.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>`systemctl start coordinator` inside the container, and how long it took.</summary>
    public ProcessResult? Start { get; private set; }
    public TimeSpan StartTook { get; private set; }

    private static string Script(string name) => RepoFiles.Path("localstack", "lib", name);

    public async Task InitializeAsync()
    {
        Unavailable = Probe();
        if (Unavailable is not null)
        {
            return;
        }
        var rootfs = await ProcessRunner.RunAsync(Script("systemd-rootfs"), [], null, TimeSpan.FromMinutes(15));
        rootfs.EnsureSuccess("localstack/lib/systemd-rootfs");

        _stack = new SystemdStack();
        (await _stack.RunAsync(CoordinatorStack.Executable, "init")).EnsureSuccess("coordinator init");
        _root = Directory.CreateTempSubdirectory("coord-live-systemd-").FullName;
        (await ProcessRunner.RunAsync(RepoFiles.Path("deploy", "systemd", "install"), ["--from", AppContext.BaseDirectory, "--destdir", _root], null,
            TimeSpan.FromMinutes(2))).EnsureSuccess("deploy/systemd/install --destdir");
        await WriteEnvironmentFileAsync(Path.Combine(_root, "etc", "coordinator", "coordinator.env"));
        var dropIn = Directory.CreateDirectory(Path.Combine(_root, "etc", "systemd", "system", "coordinator.service.d")).FullName;
        await File.WriteAllTextAsync(Path.Combine(dropIn, "test.conf"),
            "[Service]\nTimeoutStartSec=30\nRestartSec=1\nWatchdogSec=4\nTimeoutAbortSec=2\n");

        var unitDir = Path.Combine(_root, "etc", "systemd", "system");
        _booted = true; // stop is idempotent, and a half-started container must go too
        (await ProcessRunner.RunAsync(Script("systemd-machine"),
        [
            "start", _machine,
            $"--bind-ro={Path.Combine(_root, "opt", "coordinator")}:/opt/coordinator",
            $"--bind-ro={Path.Combine(_root, "etc", "coordinator")}:/etc/coordinator",
            $"--bind-ro={Path.Combine(unitDir, "coordinator.service")}:/etc/systemd/system/coordinator.service",
            $"--bind-ro={dropIn}:/etc/systemd/system/coordinator.service.d",
            $"--bind-ro={DotnetRoot}:{DotnetRoot}",
        ], null, TimeSpan.FromMinutes(2))).EnsureSuccess("systemd-machine start");
        (await RunInsideAsync("useradd", "--system", "--home-dir", "/var/lib/coordinator", "--no-create-home", "--shell", "/usr/sbin/nologin",
            "--user-group", "coordinator")).EnsureSuccess("useradd coordinator");
        (await RunInsideAsync("systemctl", "daemon-reload")).EnsureSuccess("systemctl daemon-reload");
        var clock = Stopwatch.StartNew();
        Start = await RunInsideAsync(TimeSpan.FromSeconds(90), "systemctl", "start", "coordinator");
        StartTook = clock.Elapsed;
    }

    /// <summary>Runs a command inside the container (nsenter into its PID 1's namespaces).</summary>
    public Task<ProcessResult> RunInsideAsync(params string[] command) => RunInsideAsync(TimeSpan.FromSeconds(60), command);

    public Task<ProcessResult> RunInsideAsync(TimeSpan timeout, params string[] command) =>
        ProcessRunner.RunAsync(Script("systemd-machine"), ["run", _machine, .. command], null, timeout);

    /// <summary>`systemctl show -p NAME coordinator`'s value.</summary>
    public async Task<string> PropertyAsync(string name) =>
        (await RunInsideAsync("systemctl", "show", "--value", "-p", name, "coordinator")).StandardOutput.Trim();

    /// <summary>Journal entries matching every <c>FIELD=value</c> of <paramref name="matches"/>, as `journalctl -o json` gives them.</summary>
    public async Task<System.Text.Json.JsonElement[]> JournalEntriesAsync(params string[] matches)
    {
        var journal = await RunInsideAsync(["journalctl", .. matches, "-o", "json", "--no-pager", "-n", "400"]);
        return journal.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.Clone())
            .ToArray();
    }

    /// <summary>Puts a job whose input does not exist (the daemon reconciles it and refuses the input) with the AWS CLI.</summary>
    public async Task PutJobAsync(string name)
    {
        var item = Coordinator.Testing.Items.JobItems.Wordcount(name, _stack!.Bucket);
        (await ProcessRunner.RunAsync("aws", ["dynamodb", "put-item", "--table-name", _stack.JobsTable, "--item", item], _stack.Environment,
            TimeSpan.FromSeconds(30))).EnsureSuccess("aws dynamodb put-item");
    }

    /// <summary>The holder of every lease in the leases table ("" once released), as the AWS CLI scans them.</summary>
    public async Task<string[]> LeaseHoldersAsync()
    {
        var scan = await ProcessRunner.RunAsync("aws", ["dynamodb", "scan", "--table-name", _stack!.Settings["COORDINATOR__LEASESTABLE"]!, "--output", "json"],
            _stack.Environment, TimeSpan.FromSeconds(30));
        scan.EnsureSuccess("aws dynamodb scan");
        using var document = System.Text.Json.JsonDocument.Parse(scan.StandardOutput);
        return document.RootElement.GetProperty("Items").EnumerateArray()
            .Select(item => item.TryGetProperty("holder", out var holder) ? holder.GetProperty("S").GetString() ?? "" : "")
            .ToArray();
    }

    /// <summary>Polls until <paramref name="done"/> holds (true) or <paramref name="timeout"/> passes (false).</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (await done())
            {
                return true;
            }
            await Task.Delay(250);
        }
        return await done();
    }

    /// <summary>What the service printed, as journald stored it (message text only, one line each).</summary>
    public async Task<string[]> JournalAsync() =>
        (await RunInsideAsync("journalctl", "-u", "coordinator", "-o", "cat", "--no-pager", "-n", "400")).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Status and journal, for failure messages.</summary>
    public async Task<string> DiagnosticsAsync()
    {
        var status = await RunInsideAsync("systemctl", "status", "--no-pager", "-l", "-n", "0", "coordinator");
        return $"systemctl start: exit {Start?.ExitCode} after {StartTook.TotalSeconds:0.0} s: {Start?.StandardError.Trim()}\n{status.StandardOutput}\n"
            + string.Join('\n', (await JournalAsync()).TakeLast(40));
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "systemd-nspawn needs Linux";
        }
        if (Environment.UserName != "root")
        {
            return "the live-systemd tests boot a container with systemd-nspawn, which needs root";
        }
        if (!Directory.Exists("/sys/fs/cgroup/systemd") && !File.Exists("/sys/fs/cgroup/cgroup.controllers"))
        {
            return "no name=systemd or unified cgroup hierarchy to boot a container from";
        }
        if (!File.Exists(Path.Combine(DotnetRoot, "dotnet")))
        {
            return $"the .NET runtime the staged build needs is not at {DotnetRoot}";
        }
        return CoordinatorStack.Unavailable;
    }

    /// <summary>The env file an operator would edit, with the stack's tables, bucket and endpoints (all on 127.0.0.1).</summary>
    private async Task WriteEnvironmentFileAsync(string path)
    {
        var settings = new Dictionary<string, string?>(_stack!.Settings)
        {
            ["COORDINATOR__SLURM__WORKEREXECUTABLE"] = "/opt/coordinator/coordinator",
            ["COORDINATOR__SLURM__LOGDIRECTORY"] = "/var/log/coordinator",
            ["COORDINATOR__FILEROOTS__0"] = null,
            ["DOTNET_ROOT"] = DotnetRoot,
        };
        var lines = settings.Where(s => s.Value is not null).Select(s => $"{s.Key}={s.Value}");
        await File.WriteAllTextAsync(path, string.Join('\n', lines) + "\n");
    }

    /// <summary>Powers the container off, deletes the stack's tables and bucket and the staged tree (idempotent).</summary>
    public async Task DisposeAsync()
    {
        if (_booted)
        {
            _booted = false;
            await ProcessRunner.RunAsync(Script("systemd-machine"), ["stop", _machine], null, TimeSpan.FromMinutes(1));
        }
        if (_stack is { } stack)
        {
            _stack = null;
            await stack.DisposeAsync();
        }
        if (_root is { } root)
        {
            _root = null;
            Directory.Delete(root, recursive: true);
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private sealed class SystemdStack() : CoordinatorStack("sysd", 8)
    {
        protected override Task CancelSlurmJobsAsync() => Task.CompletedTask;
    }
}
