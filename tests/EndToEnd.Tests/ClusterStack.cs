using System.Text.Json;
using Coordinator.Testing;
using Coordinator.Testing.Stack;

namespace Coordinator.EndToEnd.Tests;

/// <summary>
/// <see cref="E2eStack"/> pointed at the multi-node cluster of `localstack/up --nodes 3` (localstack/lib/cluster): its
/// SLURM_CONF, the AWS endpoint at the bridge address (the hosts live in network namespaces and cannot reach the
/// machine's loopback) and TMPDIR at the path every host binds its own node-local scratch over. Read from
/// localstack/.state/cluster/env; <see cref="ClusterUnavailable"/> says why the cluster tests cannot run without it.
/// Job names start with e2e-, so the base class's cleanup cancels them on the cluster.
/// </summary>
public sealed class ClusterStack : E2eStack
{
    public const string EnvFileRelativePath = "localstack/.state/cluster/env";

    private static readonly Lazy<(Dictionary<string, string> Env, string? Problem)> Loaded = new(Load);

    public ClusterStack() : base("e2ecl")
    {
        var env = Loaded.Value.Env;
        Settings["SLURM_CONF"] = env["SLURM_CONF"];
        Settings["AWS_ENDPOINT_URL"] = env["COORDINATOR_CLUSTER_AWS_ENDPOINT_URL"];
        Settings[StackEnvironment.WorkerEnvironmentPrefix + "TMPDIR"] = env["COORDINATOR_CLUSTER_SCRATCH"];
        // A 5 s heartbeat: a worker gone with its host is stale after 30 s, past SlurmdTimeout (20 s), so Slurm has
        // recorded NODE_FAIL by the time the daemon looks the task up in sacct.
        Settings["COORDINATOR__HEARTBEAT__INTERVAL"] = "00:00:05";
        Nodes = int.Parse(env["COORDINATOR_CLUSTER_NODES"], System.Globalization.CultureInfo.InvariantCulture);
        ClusterDirectory = env["COORDINATOR_CLUSTER_DIR"];
    }

    /// <summary>How many compute hosts the cluster has (node1..nodeN).</summary>
    public int Nodes { get; }

    /// <summary>localstack/.state/cluster: the hosts' scratch directories are hosts/nodeK/scratch under it.</summary>
    public string ClusterDirectory { get; }

    /// <summary>Null when the single-node stack and the cluster both answer, else why the cluster tests cannot run.</summary>
    public static string? ClusterUnavailable => Unavailable ?? Loaded.Value.Problem;

    /// <summary>localstack/lib/cluster-host kill|cut|restore K: a fault on host K.</summary>
    public async Task HostAsync(string action, int host)
    {
        var script = Coordinator.Testing.RepoFiles.Path("localstack", "lib", "cluster-host");
        (await Coordinator.Testing.Processes.ProcessRunner.RunAsync(script, [action, host.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            Settings, TimeSpan.FromMinutes(2))).EnsureSuccess($"cluster-host {action} {host}");
    }

    /// <summary>The tasks-table items of <paramref name="job"/> (DynamoDB JSON), by `aws dynamodb query`.</summary>
    public async Task<IReadOnlyList<JsonElement>> TasksAsync(string job)
    {
        var result = await AwsAsync("dynamodb", "query", "--table-name", TasksTable, "--key-condition-expression", "#j = :j",
            "--expression-attribute-names", "{\"#j\": \"job\"}", "--expression-attribute-values", $"{{\":j\": {{\"S\": \"{job}\"}}}}",
            "--output", "json");
        result.EnsureSuccess("aws dynamodb query (tasks)");
        using var document = JsonDocument.Parse(result.StandardOutput);
        return [.. document.RootElement.GetProperty("Items").EnumerateArray().Select(i => i.Clone())];
    }

    private static (Dictionary<string, string>, string?) Load()
    {
        var file = RepoFiles.FindUp(EnvFileRelativePath);
        if (file is null)
        {
            return ([], $"{EnvFileRelativePath} not found: the multi-node cluster is not up; run localstack/up --nodes 3");
        }
        var env = StackEnvironment.ParseExports(File.ReadAllLines(file));
        string[] needed = ["SLURM_CONF", "COORDINATOR_CLUSTER_AWS_ENDPOINT_URL", "COORDINATOR_CLUSTER_SCRATCH", "COORDINATOR_CLUSTER_NODES", "COORDINATOR_CLUSTER_DIR"];
        if (needed.FirstOrDefault(n => !env.ContainsKey(n)) is { } missing)
        {
            return (env, $"{file} has no {missing}; run localstack/up --nodes 3 again");
        }
        var sinfo = Coordinator.Testing.Processes.ProcessRunner.RunAsync("sinfo", ["-h", "-N", "-o", "%N %T"],
            new Dictionary<string, string?> { ["SLURM_CONF"] = env["SLURM_CONF"] }, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        return sinfo.ExitCode == 0
            ? (env, null)
            : (env, $"the cluster's slurmctld does not answer (sinfo exit {sinfo.ExitCode}: {sinfo.StandardError.Trim()}); run localstack/up --nodes 3");
    }
}

/// <summary>One cluster daemon shared by the cluster tests of a class.</summary>
public sealed class ClusterStackFixture : IAsyncLifetime
{
    public ClusterStack? Stack { get; private set; }

    public async Task InitializeAsync()
    {
        if (ClusterStack.ClusterUnavailable is null)
        {
            Stack = new ClusterStack();
            await Stack.StartAsync();
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
