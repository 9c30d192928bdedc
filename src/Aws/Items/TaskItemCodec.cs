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
        public const string ExitCode = "exitCode";
        public const string StderrTail = "stderrTail";
        public const string Reason = "reason";
        public const string Verdict = "verdict";
        public const string UnclaimedSubmissions = "unclaimedSubmissions";
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
        .Number(Names.ExitCode, t.ExitCode)
        .String(Names.StderrTail, t.StderrTail)
        .String(Names.Reason, t.Reason)
        .String(Names.Verdict, t.Verdict == TaskVerdict.None ? null : t.Verdict.ToString())
        .Number(Names.UnclaimedSubmissions, t.UnclaimedSubmissions == 0 ? null : t.UnclaimedSubmissions)
        .Number(Names.Version, t.Version)
        .Map;

    /// <summary>Throws <see cref="ItemFormatException"/> naming the attribute when the item is not a task.</summary>
    public static JobTask Decode(Dictionary<string, AttributeValue> item)
    {
        var r = new AttributeReader(item, "");
        var task = new JobTask
        {
            Job = r.RequiredString(JobKey),
            Index = r.RequiredInt(IndexKey),
            Generation = r.Long(Names.Generation),
            State = r.Enum(Names.State, TaskState.Pending),
            Attempt = r.Int(Names.Attempt),
            SlurmJobId = r.OptionalString(Names.SlurmJobId),
            SlurmArrayTaskId = r.OptionalString(Names.SlurmArrayTaskId),
            DispatchToken = r.OptionalString(Names.DispatchToken),
            Host = r.OptionalString(Names.Host),
            Heartbeat = r.OptionalTime(Names.Heartbeat),
            StartedAt = r.OptionalTime(Names.StartedAt),
            FinishedAt = r.OptionalTime(Names.FinishedAt),
            NotBefore = r.OptionalTime(Names.NotBefore),
            InputKey = r.String(Names.InputKey),
            InputSha256 = r.String(Names.InputSha256),
            ResultKey = r.OptionalString(Names.ResultKey),
            ResultSha256 = r.OptionalString(Names.ResultSha256),
            ResultETag = r.OptionalString(Names.ResultETag),
            InputRecords = r.Long(Names.InputRecords),
            OutputRecords = r.OptionalLong(Names.OutputRecords),
            ExitCode = r.OptionalInt(Names.ExitCode),
            StderrTail = r.OptionalString(Names.StderrTail),
            Reason = r.OptionalString(Names.Reason),
            Verdict = r.Enum(Names.Verdict, TaskVerdict.None),
            UnclaimedSubmissions = r.Int(Names.UnclaimedSubmissions),
            Version = r.Long(Names.Version),
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
