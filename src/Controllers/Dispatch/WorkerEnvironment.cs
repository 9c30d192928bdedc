using Coordinator.Controllers.Configuration;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// The whole environment a Slurm array task's worker gets from the daemon. sbatch runs with --export=NONE, so the
/// task starts from Slurm's own SLURM_* variables (and, when the daemon runs as root, the login environment Slurm
/// loads for the user); the batch script then exports exactly this: a few non-secret variables copied from the
/// daemon so the worker reaches the same endpoint and region and finds its runtime (<see cref="Inherited"/>),
/// PATH (the daemon's, else <see cref="DefaultPath"/>), and last, overriding those, <c>Slurm:WorkerEnvironment</c>.
/// No credential variable is ever copied from the daemon — AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
/// AWS_SESSION_TOKEN, AWS_PROFILE, credential files, role settings — only an administrator's explicit
/// <c>Slurm:WorkerEnvironment</c> gives a worker credentials, so a task holds worker credentials at most.
/// </summary>
public static class WorkerEnvironment
{
    /// <summary>PATH when the daemon has none.</summary>
    public const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";

    /// <summary>
    /// Copied from the daemon when set: where AWS is (endpoints, region, CA bundle), how the .NET runtime and the
    /// locale are found, and who the user is (HOME, USER: the worker runs as the daemon's user anyway; Slurm sets them
    /// only when the submitter is root). None of them grants anything.
    /// </summary>
    public static readonly IReadOnlyList<string> Inherited =
    [
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CA_BUNDLE",
        "DOTNET_ROOT", "HOME", "USER", "LANG", "LC_ALL", "TZ",
    ];

    /// <param name="slurm">The Slurm settings: <see cref="SlurmOptions.WorkerEnvironment"/> is applied last.</param>
    /// <param name="daemon">Reads one of the daemon's environment variables (null when unset).</param>
    public static IReadOnlyDictionary<string, string> Build(SlurmOptions slurm, Func<string, string?> daemon)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = daemon("PATH") is { Length: > 0 } path ? path : DefaultPath,
        };
        foreach (var name in Inherited)
        {
            if (daemon(name) is { Length: > 0 } value)
            {
                env[name] = value;
            }
        }
        foreach (var (name, value) in slurm.WorkerEnvironment)
        {
            env[name] = value;
        }
        return env;
    }
}
