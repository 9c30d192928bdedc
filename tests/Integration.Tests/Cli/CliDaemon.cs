using Coordinator.Integration.Tests.Fixtures;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Cli;

/// <summary>
/// A real `coordinator daemon` process on a <see cref="CliStack"/>'s tables and bucket, whose workers run on the
/// local Slurm with the same settings (the worker is the same executable), so watch and logs see a job that runs.
/// </summary>
internal static class CliDaemon
{
    public static DaemonHandle Start(CliStack cli, string endpointUrl) => DaemonHandle.Start("cli-daemon", CoordinatorCli.ExecutablePath,
        [
            "daemon",
            .. cli.Settings,
            $"--Coordinator:Slurm:WorkerExecutable={CoordinatorCli.ExecutablePath}",
            "--Daemon:Telemetry:PrometheusEndpoint=",
        ],
        new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = endpointUrl,
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["AWS_DEFAULT_REGION"] = "us-east-1",
        });
}
