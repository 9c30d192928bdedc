using Coordinator.Model.Spec;
using Coordinator.Worker.Handlers;

namespace Coordinator.Controllers.Tests.Worker;

public sealed class HandlerEnvironmentTests
{
    /// <summary>A worker as Slurm starts it on a GPU node: credentials, its own settings, Slurm's and gres' variables, a conda prefix.</summary>
    private static readonly Dictionary<string, string> Node = new(StringComparer.Ordinal)
    {
        ["PATH"] = "/opt/conda/bin:/usr/bin:/bin",
        ["HOME"] = "/home/w",
        ["USER"] = "w",
        ["AWS_SECRET_ACCESS_KEY"] = "worker-secret",
        ["AWS_SESSION_TOKEN"] = "worker-token",
        ["AWS_ACCESS_KEY_ID"] = "AKIDWORKER",
        ["AWS_PROFILE"] = "worker",
        ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566",
        ["AWS_REGION"] = "us-east-1",
        ["COORDINATOR_WORKER__SCRATCHROOT"] = "/scratch",
        ["SLURM_JOB_ID"] = "4242",
        ["SLURM_ARRAY_JOB_ID"] = "4240",
        ["SLURM_ARRAY_TASK_ID"] = "2",
        ["SLURM_CPUS_PER_TASK"] = "4",
        ["SLURM_JOB_NODELIST"] = "gpu[01-02]",
        ["SLURM_JOB_GPUS"] = "0,1",
        ["SLURM_STEP_GPUS"] = "1",
        ["CUDA_VISIBLE_DEVICES"] = "1",
        ["GPU_DEVICE_ORDINAL"] = "1",
        ["LD_LIBRARY_PATH"] = "/opt/cuda/lib64",
        ["CONDA_PREFIX"] = "/opt/conda",
        ["CONDA_DEFAULT_ENV"] = "base",
        ["PYTHONPATH"] = "/opt/lib/py",
        ["DOTNET_ROOT"] = "/opt/dotnet",
        ["SSH_AUTH_SOCK"] = "/tmp/ssh-agent",
    };

    [Fact]
    public void A_worker_holding_every_aws_variable_passes_none_of_them_to_its_handler()
    {
        // The worker's own environment answers every name, credentials included (its Slurm:WorkerEnvironment).
        var worker = Node.Keys.ToDictionary(k => k, k => "worker-" + k, StringComparer.Ordinal);
        var env = HandlerEnvironment.Build(new HandlerSpec { Command = ["cat"], InheritEnv = ["*PATH", "CONDA_*"] }, "j", 3, 1, "/tmp/s", null, null, worker);

        Assert.DoesNotContain(env.Keys, k => k.StartsWith("AWS_", StringComparison.Ordinal));
        Assert.DoesNotContain(env.Values, v => v.Contains("worker-AWS", StringComparison.Ordinal) || v.Contains("worker-COORDINATOR", StringComparison.Ordinal));
    }

    [Fact]
    public void A_handler_gets_every_slurm_and_gpu_variable_omp_threads_from_the_cpus_and_exactly_what_inheritEnv_names()
    {
        var handler = new HandlerSpec { Command = ["python3"], InheritEnv = ["LD_LIBRARY_PATH", "CONDA_*"], Env = { ["MODEL"] = "small" } };

        var env = HandlerEnvironment.Build(handler, "j", 3, 1, "/tmp/s", null, null, Node, cpusPerTask: 2);

        Assert.Equal(
            ["CONDA_DEFAULT_ENV", "CONDA_PREFIX", "COORDINATOR_ATTEMPT", "COORDINATOR_BATCH", "COORDINATOR_JOB", "COORDINATOR_REJECTS",
             "CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL", "HOME", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "MODEL", "OMP_NUM_THREADS", "PATH",
             "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_CPUS_PER_TASK", "SLURM_JOB_GPUS", "SLURM_JOB_ID", "SLURM_JOB_NODELIST",
             "SLURM_STEP_GPUS", "TMPDIR", "USER"],
            env.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("4", "1", "0,1", "/opt/conda/bin:/usr/bin:/bin", "/tmp/s/rejects.jsonl"),
            (env["OMP_NUM_THREADS"], env["CUDA_VISIBLE_DEVICES"], env["SLURM_JOB_GPUS"], env["PATH"], env["COORDINATOR_REJECTS"]));
    }

    [Fact]
    public void Without_slurm_omp_threads_come_from_cpusPerTask_and_handler_env_may_set_them()
    {
        var bare = new Dictionary<string, string> { ["PATH"] = "/usr/bin" };
        Assert.Equal("3", HandlerEnvironment.Build(new HandlerSpec { Command = ["x"] }, "j", 0, 1, "/s", null, null, bare, cpusPerTask: 3)["OMP_NUM_THREADS"]);
        var pinned = new HandlerSpec { Command = ["x"], Env = { ["OMP_NUM_THREADS"] = "1" } };
        Assert.Equal("1", HandlerEnvironment.Build(pinned, "j", 0, 1, "/s", null, null, Node, cpusPerTask: 8)["OMP_NUM_THREADS"]);
    }

    [Fact]
    public void A_glob_in_inheritEnv_never_reaches_a_withheld_variable_even_if_validation_was_bypassed()
    {
        var env = HandlerEnvironment.Build(new HandlerSpec { Command = ["x"], InheritEnv = ["*"] }, "j", 0, 1, "/s", null, null, Node);
        Assert.DoesNotContain(env.Keys, k => k.StartsWith("AWS_", StringComparison.Ordinal) || k == "COORDINATOR_WORKER__SCRATCHROOT");
        Assert.Equal("/tmp/ssh-agent", env["SSH_AUTH_SOCK"]);
    }
}
