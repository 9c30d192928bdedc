using System.Globalization;
using System.Text.Json;
using Coordinator.Controllers.Ports;

namespace Coordinator.Scheduling.Slurm;

/// <summary>
/// Reads `sacct --json` into <see cref="AccountedTask"/>s, keeping only one deployment's jobs (their
/// --comment carries its mark, <see cref="DeploymentComment"/>; sacct records it with AccountingStoreFlags=job_comment).
/// Handles Slurm 22.05's shape (plain numbers, state.current a string, comment.job) and 23.02+'s ({"set","number"}
/// wrappers, state.current an array of flags). An array task's JobId is its array's id (the submission), with its index.
/// <para>
/// OUT_OF_MEMORY: Slurm reports it itself where cgroups detect it; with JobAcctGatherParams=OverMemoryKill (no cgroups)
/// the over-limit step is killed and the job ends FAILED with signal 9, so a job whose steps' largest MaxRSS passed its
/// memory limit is read as OUT_OF_MEMORY too.
/// </para>
/// </summary>
public static class SacctJsonReader
{
    public static IReadOnlyList<AccountedTask> Read(string json, string deployment)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new SchedulerException($"sacct printed {root.ValueKind} JSON instead of an object with a \"jobs\" list", transient: true);
        }
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            throw new SchedulerException($"sacct could not read accounting: {errors}", transient: true, unreachable: true);
        }
        if (!root.TryGetProperty("jobs", out var jobs) || jobs.ValueKind != JsonValueKind.Array)
        {
            throw new SchedulerException("sacct printed JSON without a \"jobs\" list", transient: true);
        }
        var result = new List<AccountedTask>();
        foreach (var job in jobs.EnumerateArray())
        {
            if (DeploymentComment.Unmark(deployment, Comment(job)) is not { } comment)
            {
                continue;
            }
            var id = Number(job, "job_id")?.ToString(CultureInfo.InvariantCulture) ?? "";
            int? index = null;
            if (job.TryGetProperty("array", out var array) && array.ValueKind == JsonValueKind.Object
                && Number(array, "job_id") is { } arrayJob and > 0 && Number(array, "task_id") is { } task)
            {
                id = arrayJob.ToString(CultureInfo.InvariantCulture);
                index = (int)task;
            }
            var (exitCode, signal) = Exit(job);
            var maxRss = MaxRss(job);
            var limit = MemoryLimit(job);
            var state = State(job) ?? "UNKNOWN";
            if (state is "FAILED" or "CANCELLED" && maxRss is { } rss && limit is { } l && rss > l)
            {
                state = "OUT_OF_MEMORY";
            }
            result.Add(new AccountedTask(id, index, String(job, "name") ?? "", comment, state,
                String(job, "nodes") is { Length: > 0 } nodes and not "None assigned" ? nodes : null,
                exitCode, signal, String(job, "kill_request_user"), maxRss, limit));
        }
        return result;
    }

    /// <summary>comment.job (22.05+) or a plain comment string.</summary>
    private static string? Comment(JsonElement job)
    {
        if (!job.TryGetProperty("comment", out var comment))
        {
            return null;
        }
        return comment.ValueKind switch
        {
            JsonValueKind.String => comment.GetString(),
            JsonValueKind.Object => String(comment, "job"),
            _ => null,
        };
    }

    /// <summary>state.current: a string (22.05) or an array whose first known entry is the base state (23.02+).</summary>
    private static string? State(JsonElement job)
    {
        if (!job.TryGetProperty("state", out var state) || state.ValueKind != JsonValueKind.Object || !state.TryGetProperty("current", out var current))
        {
            return null;
        }
        return current.ValueKind switch
        {
            JsonValueKind.String => current.GetString(),
            JsonValueKind.Array => current.EnumerateArray().Select(s => s.GetString()).FirstOrDefault(s => !string.IsNullOrEmpty(s)),
            _ => null,
        };
    }

    /// <summary>exit_code: return_code and signal.signal_id (a number or the {"set","number"} wrapper).</summary>
    private static (int? ExitCode, int? Signal) Exit(JsonElement job)
    {
        if (!job.TryGetProperty("exit_code", out var exit) || exit.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }
        int? signal = exit.TryGetProperty("signal", out var s) && s.ValueKind == JsonValueKind.Object && Number(s, "signal_id") is { } id and > 0
            ? (int)id : null;
        return (Number(exit, "return_code") is { } code ? (int)code : null, signal);
    }

    /// <summary>The largest "mem" count in any step's tres.requested.max (bytes).</summary>
    private static long? MaxRss(JsonElement job)
    {
        if (!job.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Array)
        {
            return null;
        }
        long? max = null;
        foreach (var step in steps.EnumerateArray())
        {
            if (step.TryGetProperty("tres", out var tres) && tres.TryGetProperty("requested", out var requested)
                && requested.TryGetProperty("max", out var maxima) && maxima.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in maxima.EnumerateArray())
                {
                    if (String(entry, "type") == "mem" && Number(entry, "count") is { } count && (max is null || count > max))
                    {
                        max = count;
                    }
                }
            }
        }
        return max;
    }

    /// <summary>required.memory (22.05, MiB) or required.memory_per_node (23.02+, MiB), as bytes.</summary>
    private static long? MemoryLimit(JsonElement job)
    {
        if (!job.TryGetProperty("required", out var required) || required.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        var mebibytes = Number(required, "memory_per_node") ?? Number(required, "memory");
        return mebibytes is { } m and > 0 ? m << 20 : null;
    }

    private static string? String(JsonElement record, string property) =>
        record.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement record, string property)
    {
        if (!record.TryGetProperty(property, out var value))
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
        {
            return n;
        }
        if (value.ValueKind == JsonValueKind.Object
            && value.TryGetProperty("set", out var set) && set.ValueKind == JsonValueKind.True
            && value.TryGetProperty("number", out var number) && number.TryGetInt64(out var wrapped))
        {
            return wrapped;
        }
        return null;
    }
}
