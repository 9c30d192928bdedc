using Amazon.DynamoDBv2.Model;
using Coordinator.Controllers.Tasks;
using Coordinator.Model.Errors;
using Coordinator.Model.Tasks;

namespace Coordinator.Aws.Items;

/// <summary>
/// JobTask ↔ tasks-table item. Keys: <c>job</c> (S, partition) and <c>index</c> (N, sort). Other attributes are the
/// camelCase property names; <c>state</c> and <c>verdict</c> are enum names (verdict left out while None),
/// timestamps ISO-8601 UTC strings, <c>version</c> N; <c>unclaimedSubmissions</c> N, left out while 0.
/// Nulls are left out, so an update that sets a field never has to remove a stale empty one.
/// </summary>
public static class TaskItemCodec
{
    public const string JobKey = "job";
    public const string IndexKey = "index";

    /// <summary>Attribute names, for update and condition expressions written elsewhere.</summary>
    public static class Names
    {
        public const string Generation = "generation";
        public const string State = "state";
        public const string Attempt = "attempt";
        public const string SlurmJobId = "slurmJobId";
        public const string SlurmArrayTaskId = "slurmArrayTaskId";
        public const string DispatchToken = "dispatchToken";
        public const string Host = "host";
        public const string Heartbeat = "heartbeat";
        public const string StartedAt = "startedAt";
        public const string FinishedAt = "finishedAt";
        public const string NotBefore = "notBefore";
        public const string InputKey = "inputKey";
        public const string InputSha256 = "inputSha256";
        public const string ResultKey = "resultKey";
        public const string ResultSha256 = "resultSha256";
        public const string ResultETag = "resultETag";
        public const string InputRecords = "inputRecords";
        public const string OutputRecords = "outputRecords";
        public const string RejectedRecords = "rejectedRecords";
        public const string RejectsKey = "rejectsKey";
        public const string RejectsSha256 = "rejectsSha256";
        public const string ExitCode = "exitCode";
        public const string StderrTail = "stderrTail";
        public const string Reason = "reason";
        public const string Verdict = "verdict";
        public const string UnclaimedSubmissions = "unclaimedSubmissions";
        public const string Disruptions = "disruptions";
        public const string Version = "version";
    }

    public static Dictionary<string, AttributeValue> Key(string job, int index) => new AttributeWriter()
        .String(JobKey, job).Number(IndexKey, index).Map;

    public static Dictionary<string, AttributeValue> Encode(JobTask t) => new AttributeWriter()
        .String(JobKey, t.Job)
        .Number(IndexKey, t.Index)
        .Number(Names.Generation, t.Generation)
        .Enum(Names.State, t.State)
        .Number(Names.Attempt, t.Attempt)
        .String(Names.SlurmJobId, t.SlurmJobId)
        .String(Names.SlurmArrayTaskId, t.SlurmArrayTaskId)
        .String(Names.DispatchToken, t.DispatchToken)
        .String(Names.Host, t.Host)
        .Time(Names.Heartbeat, t.Heartbeat)
        .Time(Names.StartedAt, t.StartedAt)
        .Time(Names.FinishedAt, t.FinishedAt)
        .Time(Names.NotBefore, t.NotBefore)
        .String(Names.InputKey, t.InputKey)
        .String(Names.InputSha256, t.InputSha256)
        .String(Names.ResultKey, t.ResultKey)
        .String(Names.ResultSha256, t.ResultSha256)
        .String(Names.ResultETag, t.ResultETag)
        .Number(Names.InputRecords, t.InputRecords)
        .Number(Names.OutputRecords, t.OutputRecords)
        .Number(Names.RejectedRecords, t.RejectedRecords)
        .String(Names.RejectsKey, t.RejectsKey)
        .String(Names.RejectsSha256, t.RejectsSha256)
        .Number(Names.ExitCode, t.ExitCode)
        .String(Names.StderrTail, t.StderrTail)
        .String(Names.Reason, t.Reason)
        .String(Names.Verdict, t.Verdict == TaskVerdict.None ? null : t.Verdict.ToString())
        .Number(Names.UnclaimedSubmissions, t.UnclaimedSubmissions == 0 ? null : t.UnclaimedSubmissions)
        .Number(Names.Disruptions, t.Disruptions == 0 ? null : t.Disruptions)
        .Number(Names.Version, t.Version)
        .Map;

    /// <summary>Throws <see cref="ItemFormatException"/> naming the attribute when the item is not a task.</summary>
    public static JobTask Decode(Dictionary<string, AttributeValue> item) => Decode(item, errors: null);

    /// <summary>
    /// For the daemon's reads of a job's tasks: an item with an attribute it cannot read (written by hand, or by a
    /// buggy tool) must not make every read of the job throw and hold up its other batches. Such a task comes back
    /// Failed, with reason "task item unreadable: attempt: expected a number (N), got S \"x\"", so the failure policy
    /// judges it like any failed batch and the job says which one; what could be read (keys, checksums, version) is
    /// kept, and each unreadable attribute takes its default, which a redrive then writes back. Only the key (job,
    /// index), which DynamoDB itself types, must be readable.
    /// </summary>
    public static JobTask DecodeOrUnreadable(Dictionary<string, AttributeValue> item)
    {
        var errors = new List<string>();
        var task = Decode(item, errors);
        if (errors.Count > 0)
        {
            task.State = TaskState.Failed;
            task.Verdict = TaskVerdict.None;
            task.Reason = $"{UnreadableReason}: {string.Join("; ", errors)}";
        }
        return task;
    }

    /// <summary>Start of the reason of a task whose item could not be read.</summary>
    public const string UnreadableReason = "task item unreadable";

    private static JobTask Decode(Dictionary<string, AttributeValue> item, List<string>? errors)
    {
        var r = new AttributeReader(item, "");
        T Read<T>(Func<T> read, T fallback)
        {
            if (errors is null)
            {
                return read();
            }
            try
            {
                return read();
            }
            catch (ItemFormatException e)
            {
                errors.Add(e.Message);
                return fallback;
            }
        }
        var task = new JobTask
        {
            Job = r.RequiredString(JobKey),
            Index = r.RequiredInt(IndexKey),
            Generation = Read(() => r.Long(Names.Generation), 0),
            State = Read(() => r.Enum(Names.State, TaskState.Pending), TaskState.Pending),
            Attempt = Read(() => r.Int(Names.Attempt), 0),
            SlurmJobId = Read(() => r.OptionalString(Names.SlurmJobId), null),
            SlurmArrayTaskId = Read(() => r.OptionalString(Names.SlurmArrayTaskId), null),
            DispatchToken = Read(() => r.OptionalString(Names.DispatchToken), null),
            Host = Read(() => r.OptionalString(Names.Host), null),
            Heartbeat = Read(() => r.OptionalTime(Names.Heartbeat), null),
            StartedAt = Read(() => r.OptionalTime(Names.StartedAt), null),
            FinishedAt = Read(() => r.OptionalTime(Names.FinishedAt), null),
            NotBefore = Read(() => r.OptionalTime(Names.NotBefore), null),
            InputKey = Read(() => r.String(Names.InputKey), ""),
            InputSha256 = Read(() => r.String(Names.InputSha256), ""),
            ResultKey = Read(() => r.OptionalString(Names.ResultKey), null),
            ResultSha256 = Read(() => r.OptionalString(Names.ResultSha256), null),
            ResultETag = Read(() => r.OptionalString(Names.ResultETag), null),
            InputRecords = Read(() => r.Long(Names.InputRecords), 0),
            OutputRecords = Read(() => r.OptionalLong(Names.OutputRecords), null),
            RejectedRecords = Read(() => r.OptionalLong(Names.RejectedRecords), null),
            RejectsKey = Read(() => r.OptionalString(Names.RejectsKey), null),
            RejectsSha256 = Read(() => r.OptionalString(Names.RejectsSha256), null),
            ExitCode = Read(() => r.OptionalInt(Names.ExitCode), null),
            StderrTail = Read(() => r.OptionalString(Names.StderrTail), null),
            Reason = Read(() => r.OptionalString(Names.Reason), null),
            Verdict = Read(() => r.Enum(Names.Verdict, TaskVerdict.None), TaskVerdict.None),
            UnclaimedSubmissions = Read(() => r.Int(Names.UnclaimedSubmissions), 0),
            Disruptions = Read(() => r.Int(Names.Disruptions), 0),
            Version = Read(() => r.Long(Names.Version), 0),
        };
        if (!r.Has(Names.Verdict) && task.State == TaskState.Failed
            && task.Reason?.StartsWith(TaskTransitions.FailJobReason, StringComparison.Ordinal) == true)
        {
            // Written before the verdict had its own attribute: then the reason's prefix was the only mark of FailJob.
            // (Today's writers give every Failed task a verdict, so this shape comes only from such old items.)
            task.Verdict = TaskVerdict.FailJob;
        }
        return task;
    }
}
