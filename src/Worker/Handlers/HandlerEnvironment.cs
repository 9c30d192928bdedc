using System.Globalization;
using Coordinator.Model.Spec;

namespace Coordinator.Worker.Handlers;

/// <summary>
/// The environment a handler runs with: deliberately minimal and documented, so a handler behaves the same on every
/// node and never sees the worker's AWS credentials. It gets PATH, HOME, LANG/LC_ALL (C.UTF-8), TMPDIR (its scratch
/// directory), USER, SLURM_JOB_ID/SLURM_ARRAY_JOB_ID/SLURM_ARRAY_TASK_ID when set, spec.handler.env, and last, so the
/// spec cannot override them: COORDINATOR_JOB, COORDINATOR_BATCH, COORDINATOR_ATTEMPT, COORDINATOR_REJECTS, and in file mode
/// COORDINATOR_INPUT and COORDINATOR_OUTPUT.
/// </summary>
public static class HandlerEnvironment
{
    private static readonly string[] Inherited = ["PATH", "HOME", "USER", "SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID"];

    public static Dictionary<string, string> Build(
        HandlerSpec handler, string job, int batch, int attempt, string scratch, string? inputPath, string? outputPath,
        Func<string, string?> inherit)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["LANG"] = "C.UTF-8",
            ["LC_ALL"] = "C.UTF-8",
        };
        foreach (var name in Inherited)
        {
            if (inherit(name) is { Length: > 0 } value)
            {
                env[name] = value;
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
