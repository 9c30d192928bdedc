namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>
/// The local stack's settings: the process environment first (./test sources the env file), then the export lines
/// of <c>localstack/.state/env</c>, found by walking up from the test's directory, so a test run from an IDE finds the
/// stack that <c>localstack/up</c> started. <see cref="Apply"/> copies them into the process environment, where the
/// SDK's credential chain, <c>AwsClientFactory</c> and child processes (aws, sbatch, coordinator) read them.
/// </summary>
public sealed class StackEnvironment
{
    public const string EnvFileRelativePath = "localstack/.state/env";

    private static readonly string[] Names =
    [
        "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION",
        "COORDINATOR_DYNAMODB_LOCAL_URL", "SLURM_CONF",
    ];

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

    public static StackEnvironment Load()
    {
        var envFile = FindEnvFile(AppContext.BaseDirectory);
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

    /// <summary>Sets every known value that the process environment lacks.</summary>
    public void Apply()
    {
        foreach (var (name, value) in Values)
        {
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)) && value.Length > 0)
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

    private static string? FindEnvFile(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, EnvFileRelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
