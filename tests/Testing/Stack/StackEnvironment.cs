using Coordinator.Testing.Processes;

namespace Coordinator.Testing.Stack;

/// <summary>
/// The local stack's settings: the process environment first (./test sources the env file), then the export lines
/// of <c>localstack/.state/env</c>, found by walking up from the test's directory, so a test run from an IDE finds the
/// stack that <c>localstack/up</c> started. <see cref="Apply"/> copies them into the process environment, where the
/// SDK's credential chain, <c>AwsClientFactory</c> and child processes (aws, sbatch, coordinator) read them;
/// <see cref="Variables"/> hands them to a child process instead. <see cref="Unavailable"/> says whether moto and
/// Slurm answer.
/// </summary>
public sealed class StackEnvironment
{
    public const string EnvFileRelativePath = "localstack/.state/env";

    private static readonly string[] Names =
    [
        "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION",
        "COORDINATOR_DYNAMODB_LOCAL_URL", "SLURM_CONF",
    ];

    private static readonly Lazy<string?> Problem = new(Probe);

    private StackEnvironment(IReadOnlyDictionary<string, string> values, string? envFile)
    {
        Values = values;
        EnvFile = envFile;
    }

    /// <summary>The settings in force, by variable name; a missing name is not set anywhere.</summary>
    public IReadOnlyDictionary<string, string> Values { get; }
    /// <summary>The env file that was read, or null when none was found.</summary>
    public string? EnvFile { get; }

    public string? this[string name] => Values.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>
    /// Every known variable, null where it is not set, plus <see cref="WorkerEnvironment"/> as the daemon's
    /// COORDINATOR__SLURM__WORKERENVIRONMENT__* settings: the base of a child process's environment.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Variables
    {
        get
        {
            var variables = Names.ToDictionary(n => n, n => this[n], StringComparer.Ordinal);
            foreach (var (name, value) in WorkerEnvironment)
            {
                variables[WorkerEnvironmentPrefix + name] = value;
            }
            return variables;
        }
    }

    /// <summary>The environment-variable form of Coordinator:Slurm:WorkerEnvironment:NAME.</summary>
    public const string WorkerEnvironmentPrefix = "COORDINATOR__SLURM__WORKERENVIRONMENT__";

    /// <summary>
    /// What the local stack's daemons give their workers as Coordinator:Slurm:WorkerEnvironment: the stack's dummy
    /// credentials (moto accepts any). sbatch exports nothing of the daemon's environment, so they are passed
    /// explicitly, as an administrator would name a worker credential source.
    /// </summary>
    public Dictionary<string, string> WorkerEnvironment => new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY" }
        .Where(n => this[n] is not null)
        .ToDictionary(n => n, n => this[n]!, StringComparer.Ordinal);

    /// <summary>Null when moto and Slurm answer (sinfo, aws dynamodb list-tables), else why the stack cannot be used.</summary>
    public static string? Unavailable => Problem.Value;

    /// <summary>Null when moto answers (aws dynamodb list-tables), Slurm or not: for tests of the local scheduler.</summary>
    public static string? AwsUnavailable => AwsProblem.Value;

    private static readonly Lazy<string?> AwsProblem = new(() => ProbeAws(Load()));

    public static StackEnvironment Load()
    {
        var envFile = RepoFiles.FindUp(EnvFileRelativePath);
        var fromFile = envFile is null ? new Dictionary<string, string>() : ParseExports(File.ReadAllLines(envFile));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Names)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } fromProcess)
            {
                values[name] = fromProcess;
            }
            else if (fromFile.TryGetValue(name, out var value))
            {
                values[name] = value;
            }
        }
        return new StackEnvironment(values, envFile);
    }

    /// <summary>Sets every known value (<see cref="Variables"/>) that the process environment lacks.</summary>
    public void Apply()
    {
        foreach (var (name, value) in Variables)
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)) && value is { Length: > 0 })
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    /// <summary>Parses `export NAME=value` lines (as localstack/up writes them); comments and other lines are ignored.</summary>
    public static Dictionary<string, string> ParseExports(IEnumerable<string> lines)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (!line.StartsWith("export ", StringComparison.Ordinal))
            {
                continue;
            }
            var assignment = line["export ".Length..];
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }
            result[assignment[..equals]] = assignment[(equals + 1)..].Trim('"', '\'');
        }
        return result;
    }

    private static string? Probe()
    {
        var env = Load();
        if (env["AWS_ENDPOINT_URL"] is null)
        {
            return "AWS_ENDPOINT_URL is unset and no localstack/.state/env was found; run localstack/up";
        }
        if (env["SLURM_CONF"] is null)
        {
            return "SLURM_CONF is unset and no localstack/.state/env was found; run localstack/up";
        }
        var variables = env.Variables;
        var sinfo = ProcessRunner.RunAsync("sinfo", ["-h"], variables, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        if (sinfo.ExitCode != 0)
        {
            return $"Slurm does not answer (sinfo exit {sinfo.ExitCode}): {sinfo.StandardError.Trim()}";
        }
        return ProbeAws(env);
    }

    private static string? ProbeAws(StackEnvironment env)
    {
        if (env["AWS_ENDPOINT_URL"] is null)
        {
            return "AWS_ENDPOINT_URL is unset and no localstack/.state/env was found; run localstack/up";
        }
        var aws = ProcessRunner.RunAsync("aws", ["dynamodb", "list-tables", "--max-items", "1"], env.Variables, TimeSpan.FromSeconds(20))
            .GetAwaiter().GetResult();
        return aws.ExitCode == 0 ? null : $"moto does not answer at {env["AWS_ENDPOINT_URL"]}: {aws.StandardError.Trim()}";
    }
}
