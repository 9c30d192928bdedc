using System.Text.Json;
using Coordinator.Testing.Processes;
using Coordinator.Testing.Stack;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// The product driven as the README tells users (<see cref="CoordinatorStack"/>), plus `aws s3 cp` of text and
/// `aws dynamodb get-item` of a job's status. Job names start with e2e-; cleanup cancels every Slurm job so named.
/// </summary>
public class E2eStack : CoordinatorStack
{
    public E2eStack() : this("e2e")
    {
    }

    /// <summary>A stack whose tables, bucket and job names start with <paramref name="prefix"/>.</summary>
    protected E2eStack(string prefix) : base(prefix, 10)
    {
    }

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
            if (DaemonExitCode is { } exitCode)
            {
                throw new InvalidOperationException($"the daemon exited ({exitCode}):\n{DaemonLog}");
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

    private static string Tail(string text) => text.Length > 4000 ? text[^4000..] : text;

    protected override async Task CancelSlurmJobsAsync() =>
        await ProcessRunner.RunAsync("bash", ["-c", $"for j in $(squeue -h -o '%A %j' | awk '$2 ~ /^e2e-/ {{print $1}}'); do scancel $j; done"], Settings, TimeSpan.FromSeconds(30));
}
