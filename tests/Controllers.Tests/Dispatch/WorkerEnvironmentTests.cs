using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Dispatch;

namespace Coordinator.Controllers.Tests.Dispatch;

public sealed class WorkerEnvironmentTests
{
    /// <summary>A daemon environment with every kind of AWS credential variable the SDK's chain reads.</summary>
    private static readonly Dictionary<string, string> Daemon = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/opt/coordinator:/usr/bin",
        ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566",
        ["AWS_REGION"] = "eu-west-1",
        ["AWS_ACCESS_KEY_ID"] = "AKIADAEMON",
        ["AWS_SECRET_ACCESS_KEY"] = "daemon-secret",
        ["AWS_SESSION_TOKEN"] = "daemon-session",
        ["AWS_PROFILE"] = "coordinator-daemon",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/etc/coordinator/daemon-credentials",
        ["AWS_CONFIG_FILE"] = "/etc/coordinator/daemon-config",
        ["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/daemon",
        ["AWS_WEB_IDENTITY_TOKEN_FILE"] = "/var/run/token",
        ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://169.254.170.2/creds",
        ["HOME"] = "/var/lib/coordinator",
        ["COORDINATOR__BUCKET"] = "b",
        ["SLURM_CONF"] = "/etc/slurm/slurm.conf",
    };

    [Fact]
    public void Nothing_of_the_daemons_credentials_reaches_a_worker_only_the_endpoint_region_home_and_path()
    {
        var env = WorkerEnvironment.Build(new SlurmOptions(), n => Daemon.GetValueOrDefault(n));

        Assert.Equal(new Dictionary<string, string>
        {
            ["PATH"] = "/opt/coordinator:/usr/bin",
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566",
            ["AWS_REGION"] = "eu-west-1",
            ["HOME"] = "/var/lib/coordinator",
        }, env);
    }

    [Fact]
    public void The_setting_gives_the_worker_its_own_credential_source_and_overrides_what_is_inherited()
    {
        var slurm = new SlurmOptions();
        slurm.WorkerEnvironment["AWS_PROFILE"] = "coordinator-worker";
        slurm.WorkerEnvironment["PATH"] = "/bin";

        var env = WorkerEnvironment.Build(slurm, n => Daemon.GetValueOrDefault(n));

        Assert.Equal("coordinator-worker", env["AWS_PROFILE"]);
        Assert.Equal("/bin", env["PATH"]);
        Assert.DoesNotContain("AWS_SECRET_ACCESS_KEY", env.Keys);
    }

    [Fact]
    public void A_daemon_without_path_gives_workers_the_default_path() =>
        Assert.Equal(WorkerEnvironment.DefaultPath, WorkerEnvironment.Build(new SlurmOptions(), _ => null)["PATH"]);
}
