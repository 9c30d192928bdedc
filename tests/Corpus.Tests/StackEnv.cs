namespace Coordinator.Corpus.Tests;

/// <summary>
/// The local stack's environment: the process environment, else the export lines of localstack/.state/env found above
/// the test directory (written by localstack/up); and whether moto and Slurm answer.
/// </summary>
internal static class StackEnv
{
    private static readonly string[] Names =
        ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION", "SLURM_CONF"];

    private static readonly Lazy<Dictionary<string, string?>> Values = new(Read);
    private static readonly Lazy<string?> Problem = new(Probe);

    public static IReadOnlyDictionary<string, string?> Load() => Values.Value;

    public static string? Unavailable => Problem.Value;

    private static Dictionary<string, string?> Read()
    {
        var values = Names.ToDictionary(n => n, n => System.Environment.GetEnvironmentVariable(n));
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "localstack", ".state", "env");
            if (!File.Exists(file))
            {
                continue;
            }
            foreach (var line in File.ReadLines(file).Select(l => l.Trim()).Where(l => l.StartsWith("export ", StringComparison.Ordinal)))
            {
                var assignment = line["export ".Length..];
                var equals = assignment.IndexOf('=', StringComparison.Ordinal);
                var name = assignment[..equals];
                if (values.TryGetValue(name, out var existing) && string.IsNullOrEmpty(existing))
                {
                    values[name] = assignment[(equals + 1)..].Trim('"', '\'');
                }
            }
            break;
        }
        return values;
    }

    private static string? Probe()
    {
        var env = Values.Value;
        if (string.IsNullOrEmpty(env["AWS_ENDPOINT_URL"]))
        {
            return "AWS_ENDPOINT_URL is unset and no localstack/.state/env was found; run localstack/up";
        }
        if (string.IsNullOrEmpty(env["SLURM_CONF"]))
        {
            return "SLURM_CONF is unset and no localstack/.state/env was found; run localstack/up";
        }
        var sinfo = Run.ExecAsync("sinfo", ["-h"], env, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        if (sinfo.ExitCode != 0)
        {
            return $"Slurm does not answer (sinfo exit {sinfo.ExitCode}): {sinfo.StandardError.Trim()}";
        }
        var aws = Run.ExecAsync("aws", ["dynamodb", "list-tables", "--max-items", "1"], env, TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
        return aws.ExitCode == 0 ? null : $"moto does not answer at {env["AWS_ENDPOINT_URL"]}: {aws.StandardError.Trim()}";
    }
}
