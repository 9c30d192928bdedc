using System.Globalization;
using System.Text.Json;
using Coordinator.Controllers.Dispatch;
using Coordinator.Controllers.Ports;

namespace Coordinator.Scheduling.Slurm;

/// <summary>
/// Reads `squeue --json` into submissions. Handles both shapes Slurm has used: plain numbers and strings
/// (22.05) and the {"set","number"} wrappers and state arrays (23.02+). A pending array's unexpanded tasks
/// arrive as one record with array_task_string (e.g. "3,5-9%4"); they are expanded into one task each.
/// <para>
/// `squeue --json` exits 0 even when it could not reach slurmctld: the failure is only in the document's "errors"
/// array, next to an empty "jobs" list. Read as-is, that empty list would say nothing is queued, so dispatch would
/// submit queued batches again and the status controller would declare running tasks lost. Any error entry is
/// therefore thrown as a transient <see cref="SchedulerException"/>, never returned as an empty queue.
/// </para>
/// </summary>
public static class SqueueJsonReader
{
    public static IReadOnlyList<ScheduledJob> Read(string json, string? jobName)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new SchedulerException($"squeue printed {document.RootElement.ValueKind} JSON instead of an object with a \"jobs\" list", transient: true);
        }
        if (Errors(document.RootElement) is { } errors)
        {
            throw new SchedulerException($"squeue could not list jobs: {errors}", transient: true, unreachable: true);
        }
        if (!document.RootElement.TryGetProperty("jobs", out var jobs) || jobs.ValueKind != JsonValueKind.Array)
        {
            throw new SchedulerException("squeue printed JSON without a \"jobs\" list", transient: true);
        }
        var byJob = new Dictionary<string, (string Name, string? Comment, List<ScheduledTask> Tasks)>(StringComparer.Ordinal);
        var throttles = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var record in jobs.EnumerateArray())
        {
            var name = String(record, "name") ?? "";
            if (jobName is not null && !string.Equals(name, jobName, StringComparison.Ordinal))
            {
                continue;
            }
            var jobId = Number(record, "job_id")?.ToString(CultureInfo.InvariantCulture) ?? "";
            var arrayJobId = Number(record, "array_job_id") is { } a and > 0 ? a.ToString(CultureInfo.InvariantCulture) : jobId;
            var state = MapState(State(record));
            var reason = String(record, "state_reason");
            if (!byJob.TryGetValue(arrayJobId, out var entry))
            {
                entry = (name, String(record, "comment"), []);
                byJob[arrayJobId] = entry;
                order.Add(arrayJobId);
            }
            if (Number(record, "array_max_tasks") is { } max and > 0)
            {
                throttles[arrayJobId] = (int)max;
            }
            if (Number(record, "array_task_id") is { } taskId)
            {
                entry.Tasks.Add(new ScheduledTask(jobId, (int)taskId, state, reason) { Node = Node(record) });
            }
            else if (String(record, "array_task_string") is { Length: > 0 } pending)
            {
                var throttle = pending.IndexOf('%', StringComparison.Ordinal);
                foreach (var index in IndexRanges.Parse(throttle >= 0 ? pending[..throttle] : pending))
                {
                    entry.Tasks.Add(new ScheduledTask(arrayJobId, index, state, reason));
                }
            }
            else
            {
                entry.Tasks.Add(new ScheduledTask(jobId, null, state, reason) { Node = Node(record) });
            }
        }
        return [.. order.Select(id => new ScheduledJob(id, byJob[id].Name, byJob[id].Comment, byJob[id].Tasks)
        {
            MaxConcurrent = throttles.TryGetValue(id, out var max) ? max : null,
        })];
    }

    public static SchedulerTaskState MapState(string? state) => state switch
    {
        "PENDING" or "REQUEUED" or "REQUEUE_HOLD" or "REQUEUE_FED" or "RESV_DEL_HOLD" => SchedulerTaskState.Pending,
        "RUNNING" or "CONFIGURING" or "COMPLETING" or "SUSPENDED" or "STOPPED" or "SIGNALING" or "STAGE_OUT" or "RESIZING" => SchedulerTaskState.Running,
        "COMPLETED" => SchedulerTaskState.Completed,
        "FAILED" or "SPECIAL_EXIT" => SchedulerTaskState.Failed,
        "CANCELLED" or "REVOKED" => SchedulerTaskState.Cancelled,
        "TIMEOUT" or "DEADLINE" => SchedulerTaskState.Timeout,
        "PREEMPTED" => SchedulerTaskState.Preempted,
        "NODE_FAIL" or "BOOT_FAIL" => SchedulerTaskState.NodeFail,
        "OUT_OF_MEMORY" => SchedulerTaskState.OutOfMemory,
        _ => SchedulerTaskState.Unknown,
    };

    /// <summary>The "errors" entries as one line ("description (source: error)"), or null when there are none.</summary>
    private static string? Errors(JsonElement root)
    {
        if (!root.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() == 0)
        {
            return null;
        }
        return string.Join("; ", errors.EnumerateArray().Select(e =>
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                return e.ToString();
            }
            var description = String(e, "description") ?? "";
            var source = String(e, "source");
            var error = String(e, "error");
            var detail = string.Join(": ", new[] { source, error }.Where(p => !string.IsNullOrEmpty(p)));
            return detail.Length == 0 ? description : $"{description} ({detail})";
        }));
    }

    /// <summary>job_state is a string in older Slurm and an array of flags (base state first) in newer.</summary>
    private static string? State(JsonElement record)
    {
        if (!record.TryGetProperty("job_state", out var state))
        {
            return null;
        }
        return state.ValueKind switch
        {
            JsonValueKind.String => state.GetString(),
            JsonValueKind.Array => state.EnumerateArray().Select(s => s.GetString()).FirstOrDefault(s => MapState(s) != SchedulerTaskState.Unknown)
                ?? state.EnumerateArray().Select(s => s.GetString()).FirstOrDefault(),
            _ => null,
        };
    }

    /// <summary>squeue's "nodes" (a node list such as "node1"), null while none is allocated.</summary>
    private static string? Node(JsonElement record) => String(record, "nodes") is { Length: > 0 } nodes ? nodes : null;

    private static string? String(JsonElement record, string property) =>
        record.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A number, or the {"set": true, "number": n} wrapper; null when absent or unset.</summary>
    private static long? Number(JsonElement record, string property)
    {
        if (!record.TryGetProperty(property, out var value))
        {
            return null;
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetInt64();
        }
        if (value.ValueKind == JsonValueKind.Object
            && value.TryGetProperty("set", out var set) && set.ValueKind == JsonValueKind.True
            && value.TryGetProperty("number", out var number))
        {
            return number.GetInt64();
        }
        return null;
    }
}
