using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Stack;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// The product driven as the README tells users: `coordinator init`, `coordinator daemon` as a process, `aws s3 cp`,
/// `aws dynamodb put-item --item file://…`, `aws dynamodb get-item`. Tables and bucket are uniquely named per test
/// class (passed as COORDINATOR__* settings, as an operator would) and deleted afterwards. The stack (moto, Slurm)
/// comes from the environment or localstack/.state/env; without it the tests are skipped with the reason.
/// </summary>
public sealed class E2eStack : IAsyncDisposable
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];
    private Process? _daemon;
    private readonly StringBuilder _daemonLog = new();

    public E2eStack()
    {
        Work = Directory.CreateTempSubdirectory("coord-e2e-").FullName;
        Environment = StackEnvironment.Load().Variables;
        Settings = new Dictionary<string, string?>(Environment)
        {
            ["COORDINATOR__JOBSTABLE"] = $"e2e-jobs-{_suffix}",
            ["COORDINATOR__TASKSTABLE"] = $"e2e-tasks-{_suffix}",
            ["COORDINATOR__LEASESTABLE"] = $"e2e-leases-{_suffix}",
            ["COORDINATOR__BUCKET"] = $"e2e-{_suffix}",
            ["COORDINATOR__SLURM__WORKEREXECUTABLE"] = Executable,
            ["COORDINATOR__SLURM__LOGDIRECTORY"] = Path.Combine(Work, "slurm-logs"),
            ["AWS_PAGER"] = "",
            // Other daemons may run on this machine: scrape on a free port of our own.
            ["COORDINATOR_DAEMON__TELEMETRY__PROMETHEUSENDPOINT"] = $"http://127.0.0.1:{FreePort()}/",
        };
    }

    public string Work { get; }
    public IReadOnlyDictionary<string, string?> Environment { get; }
    public Dictionary<string, string?> Settings { get; }
    public string JobsTable => Settings["COORDINATOR__JOBSTABLE"]!;
    public string Bucket => Settings["COORDINATOR__BUCKET"]!;
    public string DaemonLog => _daemonLog.ToString();

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "coordinator");

    /// <summary>Null when moto and Slurm answer, else why the end-to-end tests cannot run.</summary>
    public static string? Unavailable => StackEnvironment.Unavailable;

    public async Task StartAsync()
    {
        Directory.CreateDirectory(Settings["COORDINATOR__SLURM__LOGDIRECTORY"]!);
        (await RunAsync(Executable, "init")).EnsureSuccess("coordinator init");
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("daemon");
        foreach (var (name, value) in Settings)
        {
            start.Environment[name] = value;
        }
        _daemon = Process.Start(start)!;
        _daemon.OutputDataReceived += (_, e) => { lock (_daemonLog) { _daemonLog.AppendLine(e.Data); } };
        _daemon.ErrorDataReceived += (_, e) => { lock (_daemonLog) { _daemonLog.AppendLine(e.Data); } };
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();
    }

    public Task<ProcessResult> RunAsync(string program, params string[] arguments) => ProcessRunner.RunAsync(program, arguments, Settings, TimeSpan.FromMinutes(2));

    public Task<ProcessResult> AwsAsync(params string[] arguments) => RunAsync("aws", arguments);

    /// <summary>Uploads text as s3://bucket/key with `aws s3 cp`.</summary>
    public async Task UploadAsync(string key, string content)
    {
        var file = Path.Combine(Work, Path.GetFileName(key));
        await File.WriteAllTextAsync(file, content);
        (await AwsAsync("s3", "cp", "--no-progress", file, $"s3://{Bucket}/{key}")).EnsureSuccess("aws s3 cp");
    }

    public async Task<string> DownloadAsync(string uri)
    {
        var file = Path.Combine(Work, "download-" + Guid.NewGuid().ToString("N")[..6]);
        (await AwsAsync("s3", "cp", "--no-progress", uri, file)).EnsureSuccess("aws s3 cp (download)");
        return await File.ReadAllTextAsync(file);
    }

    /// <summary>`aws dynamodb put-item --item file://job.json` with the given item JSON.</summary>
    public async Task PutItemAsync(string itemJson)
    {
        var file = Path.Combine(Work, $"job-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, itemJson);
        (await AwsAsync("dynamodb", "put-item", "--table-name", JobsTable, "--item", $"file://{file}")).EnsureSuccess("aws dynamodb put-item");
    }

    /// <summary>`aws dynamodb get-item`: the job's status map (DynamoDB JSON), or null before the daemon wrote one.</summary>
    public async Task<JsonElement?> StatusAsync(string job)
    {
        var result = await AwsAsync("dynamodb", "get-item", "--table-name", JobsTable, "--key", $"{{\"name\": {{\"S\": \"{job}\"}}}}", "--output", "json");
        result.EnsureSuccess("aws dynamodb get-item");
        using var document = JsonDocument.Parse(result.StandardOutput.Trim().Length == 0 ? "{}" : result.StandardOutput);
        return document.RootElement.TryGetProperty("Item", out var item) && item.TryGetProperty("status", out var status)
            ? status.GetProperty("M").Clone()
            : null;
    }

    /// <summary>Polls get-item until the phase is one of <paramref name="phases"/>; returns the status.</summary>
    public async Task<JsonElement> WaitForPhaseAsync(string job, TimeSpan limit, params string[] phases)
    {
        var deadline = DateTime.UtcNow + limit;
        JsonElement? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await StatusAsync(job);
            if (last is { } status && phases.Contains(Phase(status)))
            {
                return status;
            }
            if (_daemon is { HasExited: true })
            {
                throw new InvalidOperationException($"the daemon exited ({_daemon.ExitCode}):\n{DaemonLog}");
            }
            await Task.Delay(1000);
        }
        throw new TimeoutException($"job {job} not in {string.Join("/", phases)} after {limit}; last status {last}\ndaemon log tail:\n{Tail(DaemonLog)}");
    }

    public static string Phase(JsonElement status) => status.TryGetProperty("phase", out var p) ? p.GetProperty("S").GetString()! : "";

    public static string Text(JsonElement map, string name) =>
        map.TryGetProperty(name, out var v) ? (v.TryGetProperty("S", out var s) ? s.GetString()! : v.TryGetProperty("N", out var n) ? n.GetString()! : "") : "";

    public static long Count(JsonElement status, string group, string name) =>
        long.Parse(Text(status.GetProperty(group).GetProperty("M"), name), System.Globalization.CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    public async ValueTask DisposeAsync()
    {
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill(entireProcessTree: true);
            await _daemon.WaitForExitAsync();
        }
        _daemon?.Dispose();
        await ProcessRunner.RunAsync("bash", ["-c", $"for j in $(squeue -h -o '%A %j' | awk '$2 ~ /^e2e-/ {{print $1}}'); do scancel $j; done"], Settings, TimeSpan.FromSeconds(30));
        foreach (var table in new[] { "COORDINATOR__JOBSTABLE", "COORDINATOR__TASKSTABLE", "COORDINATOR__LEASESTABLE" })
        {
            await AwsAsync("dynamodb", "delete-table", "--table-name", Settings[table]!);
        }
        await AwsAsync("s3", "rb", "--force", $"s3://{Bucket}");
        Directory.Delete(Work, recursive: true);
    }
}
