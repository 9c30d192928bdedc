using Coordinator.Model.Spec;
using Coordinator.Worker.Handlers;

namespace Coordinator.Controllers.Tests.Worker;

public sealed class HandlerEnvironmentTests
{
    [Fact]
    public void A_worker_holding_every_aws_variable_passes_none_of_them_to_its_handler()
    {
        // The worker's own environment answers every name, credentials included (its Slurm:WorkerEnvironment).
        var env = HandlerEnvironment.Build(new HandlerSpec { Command = ["cat"] }, "j", 3, 1, "/tmp/s", null, null,
            name => "worker-" + name);

        Assert.DoesNotContain(env.Keys, k => k.StartsWith("AWS_", StringComparison.Ordinal));
        Assert.DoesNotContain(env.Values, v => v.Contains("worker-AWS", StringComparison.Ordinal));
        Assert.Equal(
            ["COORDINATOR_ATTEMPT", "COORDINATOR_BATCH", "COORDINATOR_JOB", "COORDINATOR_REJECTS", "HOME", "LANG", "LC_ALL", "PATH", "SLURM_ARRAY_JOB_ID",
             "SLURM_ARRAY_TASK_ID", "SLURM_JOB_ID", "TMPDIR", "USER"],
            env.Keys.Order(StringComparer.Ordinal));
    }
}
