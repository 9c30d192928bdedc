using System.Net;
using System.Net.Sockets;
using Coordinator.Testing.Processes;

namespace Coordinator.Testing.Stack;

/// <summary>
/// The product driven as the README tells users, on the real local stack (moto + Slurm): `coordinator init`, one
/// `coordinator daemon` process, `aws s3 cp`, `aws dynamodb put-item --item file://…`. Tables and bucket are uniquely
/// named per stack (passed as COORDINATOR__* settings, as an operator would) and deleted afterwards; which Slurm jobs
/// are this stack's to cancel is the subclass's to say (other suites share the cluster). The stack comes from the
/// environment or localstack/.state/env (<see cref="StackEnvironment"/>); without it the tests are skipped with the reason.
/// </summary>
public abstract class CoordinatorStack : IAsyncDisposable
{
    private static readonly string[] TableSettings = ["COORDINATOR__JOBSTABLE", "COORDINATOR__TASKSTABLE", "COORDINATOR__LEASESTABLE"];

    /// <summary>Tables <c>{prefix}-jobs-{suffix}</c> (tasks, leases), bucket <c>{prefix}-{suffix}</c>, work directory coord-{prefix}-*.</summary>
    protected CoordinatorStack(string prefix, int suffixLength)
    {
        Suffix = Guid.NewGuid().ToString("N")[..suffixLength];
        Work = Directory.CreateTempSubdirectory($"coord-{prefix}-").FullName;
        Environment = StackEnvironment.Load().Variables;
        Settings = new Dictionary<string, string?>(Environment)
        {
            ["COORDINATOR__JOBSTABLE"] = $"{prefix}-jobs-{Suffix}",
            ["COORDINATOR__TASKSTABLE"] = $"{prefix}-tasks-{Suffix}",
            ["COORDINATOR__LEASESTABLE"] = $"{prefix}-leases-{Suffix}",
            ["COORDINATOR__BUCKET"] = $"{prefix}-{Suffix}",
            ["COORDINATOR__SLURM__WORKEREXECUTABLE"] = Executable,
            ["COORDINATOR__SLURM__LOGDIRECTORY"] = Path.Combine(Work, "slurm-logs"),
            // file:// inputs and outputs of the stack's jobs live in its work directory (the only file root).
            ["COORDINATOR__FILEROOTS__0"] = Work,
            ["AWS_PAGER"] = "",
            // Other daemons may run on this machine: scrape on a free port of our own.
            ["COORDINATOR_DAEMON__TELEMETRY__PROMETHEUSENDPOINT"] = $"http://127.0.0.1:{FreePort()}/",
        };
    }

    public string Suffix { get; }
    public string Work { get; }
    public IReadOnlyDictionary<string, string?> Environment { get; }
    public Dictionary<string, string?> Settings { get; }
    public string JobsTable => Settings["COORDINATOR__JOBSTABLE"]!;
    public string TasksTable => Settings["COORDINATOR__TASKSTABLE"]!;
    public string Bucket => Settings["COORDINATOR__BUCKET"]!;

    /// <summary>The daemon, once started.</summary>
    protected DaemonHandle? Daemon { get; private set; }

    /// <summary>Everything the daemon printed so far.</summary>
    public string DaemonLog => Daemon?.Output ?? "";

    /// <summary>The daemon's exit code if it has exited, else null.</summary>
    public int? DaemonExitCode => Daemon?.ExitCode;

    /// <summary>The coordinator executable, built next to the tests.</summary>
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "coordinator");

    /// <summary>Null when moto and Slurm answer, else why tests on the stack cannot run.</summary>
    public static string? Unavailable => StackEnvironment.Unavailable;

    /// <summary>`coordinator init`, then `coordinator daemon` with the stack's settings.</summary>
    public async Task StartAsync()
    {
        Directory.CreateDirectory(Settings["COORDINATOR__SLURM__LOGDIRECTORY"]!);
        (await RunAsync(Executable, "init")).EnsureSuccess("coordinator init");
        Daemon = DaemonHandle.Start("daemon", Executable, ["daemon"], Settings);
    }

    public Task<ProcessResult> RunAsync(string program, params string[] arguments) =>
        ProcessRunner.RunAsync(program, arguments, Settings, TimeSpan.FromMinutes(2));

    public Task<ProcessResult> AwsAsync(params string[] arguments) => RunAsync("aws", arguments);

    /// <summary>`aws dynamodb put-item --item file://job.json` with the given item JSON, exactly as the README tells users.</summary>
    public async Task PutItemAsync(string itemJson)
    {
        var file = Path.Combine(Work, $"job-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, itemJson);
        (await AwsAsync("dynamodb", "put-item", "--table-name", JobsTable, "--item", $"file://{file}")).EnsureSuccess("aws dynamodb put-item");
    }

    /// <summary>A TCP port nothing listens on now (for a daemon's Prometheus endpoint).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Cancels this stack's Slurm jobs, and only those.</summary>
    protected abstract Task CancelSlurmJobsAsync();

    /// <summary>Releases what a subclass holds (SDK clients), before the work directory goes.</summary>
    protected virtual void DisposeClients()
    {
    }

    /// <summary>Kills the daemon (and its children), cancels this stack's Slurm jobs, deletes its tables, bucket and work directory.</summary>
    public async ValueTask DisposeAsync()
    {
        Daemon?.Dispose();
        await CancelSlurmJobsAsync();
        foreach (var table in TableSettings)
        {
            await AwsAsync("dynamodb", "delete-table", "--table-name", Settings[table]!);
        }
        await AwsAsync("s3", "rb", "--force", $"s3://{Bucket}");
        DisposeClients();
        Directory.Delete(Work, recursive: true);
        GC.SuppressFinalize(this);
    }
}
