using System.Globalization;
using Coordinator.Controllers.Pipeline;
using Coordinator.Controllers.Ports;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Dispatch;

/// <summary>
/// sbatch refused a submission because of what the job asks for (<see cref="SchedulerFault.Refused"/>: a partition,
/// gres, account, qos, memory or time limit the cluster does not have or allow). Resubmitting the same spec fails the
/// same way, so the job fails at once: condition Failed=True with reason <see cref="Reason"/>, and a message that names
/// the spec.slurm fields the job set and gives Slurm's own words. Submissions the job already has in Slurm (earlier
/// chunks of the same wave) are cancelled first, as for any failed job. A spec edit starts a new generation and
/// tries again; a redrive alone would be refused again.
/// </summary>
public static class SubmitRefusal
{
    public const string Reason = "SubmitRejected";

    public static async Task<ControllerResult> FailAsync(JobContext context, IScheduler scheduler, SchedulerException error, CancellationToken ct)
    {
        await scheduler.CancelLiveAsync(context.Job.Name, ct).ConfigureAwait(false);
        StatusEditor.Fail(context, Reason, Message(context.Job.Spec.Slurm, error.Message));
        return ControllerResult.Stop;
    }

    /// <summary>
    /// "Slurm refused the submission; check spec.slurm (partition=x): invalid partition specified: x; Batch job
    /// submission failed: Invalid partition name specified": the "sbatch exited with N:" and "sbatch: error:"
    /// prefixes dropped, one line of Slurm's per clause.
    /// </summary>
    public static string Message(SlurmSpec slurm, string error)
    {
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        var text = error.StartsWith("sbatch exited with ", StringComparison.Ordinal) && colon > 0 ? error[(colon + 2)..] : error;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.StartsWith("sbatch: error: ", StringComparison.Ordinal) ? l["sbatch: error: ".Length..] : l);
        var fields = SpecFields(slurm) is { Length: > 0 } set ? $" ({set})" : "";
        return SlurmOutage.Cut($"Slurm refused the submission; check spec.slurm{fields}: {string.Join("; ", lines)}");
    }

    /// <summary>The spec.slurm fields the job set, as "partition=x, cpusPerTask=64"; empty when it set none.</summary>
    public static string SpecFields(SlurmSpec slurm)
    {
        var set = new List<string>();
        void Add(string name, object? value)
        {
            if (value is not null)
            {
                set.Add(string.Create(CultureInfo.InvariantCulture, $"{name}={value}"));
            }
        }
        Add("partition", slurm.Partition);
        Add("account", slurm.Account);
        Add("qos", slurm.Qos);
        Add("gres", slurm.Gres);
        Add("memory", slurm.Memory);
        Add("cpusPerTask", slurm.CpusPerTask == JobSpecDefaults.CpusPerTask ? null : slurm.CpusPerTask);
        Add("timeLimit", slurm.TimeLimit);
        return string.Join(", ", set);
    }
}
