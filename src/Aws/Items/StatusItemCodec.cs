using Amazon.DynamoDBv2.Model;
using Coordinator.Model.Errors;
using Coordinator.Model.Status;
using Condition = Coordinator.Model.Status.Condition;

namespace Coordinator.Aws.Items;

/// <summary>
/// JobStatus ↔ the <c>status</c> map of a job item. Attribute names are the camelCase property names of the
/// DESIGN's status (phase, observedGeneration, conditions, batches, completedIndexes, ..., events); timestamps are ISO-8601
/// UTC strings; empty strings and nulls are left out.
/// </summary>
public static class StatusItemCodec
{
    public static AttributeValue Encode(JobStatus s)
    {
        var w = new AttributeWriter()
            .String("phase", s.Phase.ToString())
            .Number("observedGeneration", s.ObservedGeneration)
            .String("observedReconcileRequest", s.ObservedReconcileRequest)
            .List("conditions", s.Conditions.Select(EncodeCondition))
            .Nested("batches", new AttributeWriter()
                .Number("total", s.Batches.Total).Number("pending", s.Batches.Pending).Number("running", s.Batches.Running)
                .Number("succeeded", s.Batches.Succeeded).Number("failed", s.Batches.Failed))
            .String("completedIndexes", s.CompletedIndexes)
            .String("failedIndexes", s.FailedIndexes)
            .Nested("records", new AttributeWriter()
                .Number("input", s.Records.Input).Number("output", s.Records.Output).Number("failed", s.Records.Failed).Number("rejected", s.Records.Rejected == 0 ? null : s.Records.Rejected))
            .Nested("output", s.Output is null ? null : new AttributeWriter()
                .String("uri", s.Output.Uri).String("manifest", s.Output.Manifest).String("sha256", s.Output.Sha256))
            .Time("startedAt", s.StartedAt)
            .Time("completedAt", s.CompletedAt)
            .Time("expiresAt", s.ExpiresAt)
            .String("message", s.Message)
            .Nested("dispatch", s.Dispatch is null ? null : new AttributeWriter()
                .String("token", s.Dispatch.Token).String("indexes", s.Dispatch.Indexes)
                .String("slurmJobId", s.Dispatch.SlurmJobId).Time("createdAt", s.Dispatch.CreatedAt))
            .Nested("partition", s.Partition is null ? null : new AttributeWriter()
                .Number("batchesCut", s.Partition.BatchesCut).Number("bytesRead", s.Partition.BytesRead)
                .Number("bytesTotal", s.Partition.BytesTotal).Number("objects", s.Partition.Objects)
                .Time("startedAt", s.Partition.StartedAt).Time("updatedAt", s.Partition.UpdatedAt));
        if (s.Events.Count > 0)
        {
            w.List("events", s.Events.Select(EncodeEvent));
        }
        return w.ToAttribute();
    }

    /// <summary>Throws <see cref="ItemFormatException"/> naming the attribute when the map is not a status.</summary>
    public static JobStatus Decode(AttributeValue value)
    {
        if (value.M is null)
        {
            throw new ItemFormatException($"status: expected a map (M), got {AttributeReader.Describe(value)}");
        }
        var r = new AttributeReader(value.M, "status");
        var status = new JobStatus
        {
            Phase = r.Enum("phase", JobPhase.Pending),
            ObservedGeneration = r.Long("observedGeneration"),
            ObservedReconcileRequest = r.String("observedReconcileRequest"),
            Conditions = r.MapList("conditions").Select(DecodeCondition).ToList(),
            CompletedIndexes = r.String("completedIndexes"),
            FailedIndexes = r.String("failedIndexes"),
            StartedAt = r.OptionalTime("startedAt"),
            CompletedAt = r.OptionalTime("completedAt"),
            ExpiresAt = r.OptionalTime("expiresAt"),
            Message = r.String("message"),
            Events = r.MapList("events").Select(DecodeEvent).ToList(),
        };
        if (r.OptionalMap("batches") is { } b)
        {
            status.Batches = new BatchCounts
            {
                Total = b.Long("total"), Pending = b.Long("pending"), Running = b.Long("running"),
                Succeeded = b.Long("succeeded"), Failed = b.Long("failed"),
            };
        }
        if (r.OptionalMap("records") is { } rec)
        {
            status.Records = new RecordCounts { Input = rec.Long("input"), Output = rec.Long("output"), Failed = rec.Long("failed"), Rejected = rec.OptionalLong("rejected") ?? 0 };
        }
        if (r.OptionalMap("output") is { } o)
        {
            status.Output = new OutputStatus { Uri = o.String("uri"), Manifest = o.String("manifest"), Sha256 = o.String("sha256") };
        }
        if (r.OptionalMap("dispatch") is { } d)
        {
            status.Dispatch = new DispatchIntent
            {
                Token = d.String("token"), Indexes = d.String("indexes"), SlurmJobId = d.OptionalString("slurmJobId"),
                CreatedAt = d.OptionalTime("createdAt") ?? default,
            };
        }
        if (r.OptionalMap("partition") is { } p)
        {
            status.Partition = new PartitionProgress
            {
                BatchesCut = p.Long("batchesCut"), BytesRead = p.Long("bytesRead"), BytesTotal = p.Long("bytesTotal"),
                Objects = p.Long("objects"), StartedAt = p.OptionalTime("startedAt") ?? default,
                UpdatedAt = p.OptionalTime("updatedAt") ?? default,
            };
        }
        return status;
    }

    private static AttributeWriter EncodeCondition(Condition c) => new AttributeWriter()
        .String("type", c.Type).String("status", c.Status).String("reason", c.Reason).String("message", c.Message)
        .Time("lastTransitionTime", c.LastTransitionTime).Number("observedGeneration", c.ObservedGeneration);

    private static AttributeWriter EncodeEvent(JobEvent e) => new AttributeWriter()
        .String("type", e.Type).String("reason", e.Reason).String("message", e.Message).Number("count", e.Count)
        .Time("firstTimestamp", e.FirstTimestamp).Time("lastTimestamp", e.LastTimestamp);

    private static JobEvent DecodeEvent(AttributeReader r) => new()
    {
        Type = r.String("type", JobEventTypes.Warning),
        Reason = r.String("reason"),
        Message = r.String("message"),
        Count = r.Long("count", 1),
        FirstTimestamp = r.OptionalTime("firstTimestamp") ?? default,
        LastTimestamp = r.OptionalTime("lastTimestamp") ?? default,
    };

    private static Condition DecodeCondition(AttributeReader r) => new()
    {
        Type = r.RequiredString("type"),
        Status = r.String("status", "Unknown"),
        Reason = r.String("reason"),
        Message = r.String("message"),
        LastTransitionTime = r.OptionalTime("lastTransitionTime") ?? default,
        ObservedGeneration = r.Long("observedGeneration"),
    };
}
