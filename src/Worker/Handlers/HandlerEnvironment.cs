using System.Collections;
using System.Globalization;
using Coordinator.Model.Spec;
using Coordinator.Model.Validation;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// The environment a handler runs with: documented (docs/handlers.md, "Environment") and built from scratch, so a
/// handler behaves the same on every node and never sees the worker's AWS credentials. In order, later entries
/// winning: PATH (default /usr/local/bin:/usr/bin:/bin), LANG/LC_ALL (C.UTF-8); the worker's PATH, HOME and USER; every
/// SLURM_* variable of the task (CPUs, job, array and step ids, node list, SLURM_JOB_GPUS …) and the GPU variables Slurm
/// sets for gres (CUDA_VISIBLE_DEVICES, GPU_DEVICE_ORDINAL, ROCR_VISIBLE_DEVICES, ZE_AFFINITY_MASK,
/// CUDA_MPS_ACTIVE_THREAD_PERCENTAGE); OMP_NUM_THREADS from SLURM_CPUS_PER_TASK, else spec.slurm.cpusPerTask; the
/// worker's variables named by spec.handler.inheritEnv (names or globs); TMPDIR (the scratch directory);
/// spec.handler.env; and last, so the spec cannot override them: COORDINATOR_JOB, COORDINATOR_BATCH,
/// COORDINATOR_ATTEMPT, COORDINATOR_REJECTS, and in file mode COORDINATOR_INPUT and COORDINATOR_OUTPUT. No AWS_* and no
/// COORDINATOR_* variable of the worker is ever copied (<see cref="EnvRules"/>).
/// </summary>
public static class HandlerEnvironment
{
    private static readonly string[] Inherited = ["PATH", "HOME", "USER"];

    /// <summary>The variables Slurm's gres plugins set for the GPUs of a task (besides SLURM_*).</summary>
    public static readonly string[] GpuVariables =
        ["CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL", "ROCR_VISIBLE_DEVICES", "ZE_AFFINITY_MASK", "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE"];

    /// <summary>The worker process's own environment.</summary>
    public static IReadOnlyDictionary<string, string> Worker() =>
        Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "", StringComparer.Ordinal);

    public static Dictionary<string, string> Build(
        HandlerSpec handler, string job, int batch, int attempt, string scratch, string? inputPath, string? outputPath,
        IReadOnlyDictionary<string, string> worker, int cpusPerTask = 1)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["LANG"] = "C.UTF-8",
            ["LC_ALL"] = "C.UTF-8",
        };
        foreach (var (name, value) in worker.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (value.Length > 0 && !EnvRules.IsWithheld(name)
                && (Inherited.Contains(name) || name.StartsWith("SLURM_", StringComparison.Ordinal) || GpuVariables.Contains(name)))
            {
                env[name] = value;
            }
        }
        env["OMP_NUM_THREADS"] = worker.GetValueOrDefault("SLURM_CPUS_PER_TASK") is { Length: > 0 } cpus && int.TryParse(cpus, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n.ToString(CultureInfo.InvariantCulture)
            : Math.Max(1, cpusPerTask).ToString(CultureInfo.InvariantCulture);
        foreach (var pattern in handler.InheritEnv)
        {
            foreach (var (name, value) in worker)
            {
                // Validation refuses patterns that reach credentials; withheld names are skipped here all the same.
                if (!EnvRules.IsWithheld(name) && EnvRules.Matches(pattern, name))
                {
                    env[name] = value;
                }
            }
        }
        env["TMPDIR"] = scratch;
        foreach (var (name, value) in handler.Env)
        {
            env[name] = value;
        }
        env["COORDINATOR_JOB"] = job;
        env["COORDINATOR_BATCH"] = batch.ToString(CultureInfo.InvariantCulture);
        env["COORDINATOR_ATTEMPT"] = attempt.ToString(CultureInfo.InvariantCulture);
        env["COORDINATOR_REJECTS"] = RejectsFile.In(scratch);
        if (handler.Mode == HandlerMode.File)
        {
            env["COORDINATOR_INPUT"] = inputPath ?? throw new ArgumentNullException(nameof(inputPath));
            env["COORDINATOR_OUTPUT"] = outputPath ?? throw new ArgumentNullException(nameof(outputPath));
        }
        return env;
    }
}
