using Coordinator.Integration.Tests.State;
using Coordinator.Testing.Processes;

namespace Coordinator.Integration.Tests.Runtime;

/// <summary>A real `coordinator daemon` process against a test backend's tables, with its output lines time-stamped.</summary>
internal static class DaemonProcess
{
    /// <summary>SIGKILL of the handle takes the whole process tree: no release, no drain, as when a head node dies.</summary>
    public static DaemonHandle Start(DynamoBackend backend, string identity) => DaemonHandle.Start(identity, "dotnet",
        [
            Path.Combine(AppContext.BaseDirectory, "coordinator.dll"),
            "daemon",
            $"--Coordinator:JobsTable={backend.Options.JobsTable}",
            $"--Coordinator:TasksTable={backend.Options.TasksTable}",
            $"--Coordinator:LeasesTable={backend.Options.LeasesTable}",
            $"--Daemon:LeaderElection:Identity={identity}",
            "--Daemon:Telemetry:PrometheusEndpoint=",
        ],
        new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = backend.Endpoint,
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["AWS_DEFAULT_REGION"] = "us-east-1",
            ["AWS_ENDPOINT_URL_DYNAMODB"] = null,
        });
}
