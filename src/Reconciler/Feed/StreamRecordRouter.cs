using Amazon.DynamoDBv2.Model;
using Coordinator.Aws.DynamoDb;
using Coordinator.Aws.Streams;
using Coordinator.Model.Spec;

namespace Coordinator.Reconciler.Feed;

/// <summary>
/// Turns a stream record into the job to reconcile (pure), like an event handler mapping a Pod to its owning Job.
/// A jobs-table record names the job itself; a tasks-table record names its owner through the <c>job</c> key.
/// Job records the daemon caused itself (only status, version, generation, specHash or leaderTerm differ) are dropped: the
/// daemon already knows, and reacting would double every status write. Templates are never reconciled.
/// </summary>
public static class StreamRecordRouter
{
    private static readonly HashSet<string> DaemonOwned = new(StringComparer.Ordinal)
    {
        StateAttributes.Status, StateAttributes.Version, StateAttributes.Generation, StateAttributes.SpecHash, StateAttributes.LeaderTerm,
    };

    /// <summary>The job to enqueue, or null with the reason it is skipped; a record without the key throws FormatException.</summary>
    public static (string? Job, string? Skipped) Route(StreamTable table, StreamRecord record)
    {
        if (table == StreamTable.Tasks)
        {
            return (KeyString(record, StateAttributes.TaskJob), null);
        }
        var name = KeyString(record, StateAttributes.Name);
        if (name.StartsWith("template:", StringComparison.Ordinal) || IsTemplate(record.NewImage) || IsTemplate(record.OldImage))
        {
            return (null, "template");
        }
        if (record.EventName == "MODIFY" && record.NewImage is { } newImage && record.OldImage is { } oldImage && OnlyDaemonFieldsDiffer(oldImage, newImage))
        {
            return (null, "own status write");
        }
        return (name, null);
    }

    public static bool OnlyDaemonFieldsDiffer(Dictionary<string, AttributeValue> before, Dictionary<string, AttributeValue> after)
    {
        var keys = before.Keys.Concat(after.Keys).Where(k => !DaemonOwned.Contains(k)).Distinct(StringComparer.Ordinal);
        return keys.All(k => before.TryGetValue(k, out var a) && after.TryGetValue(k, out var b) && AttributeValues.Equal(a, b));
    }

    private static string KeyString(StreamRecord record, string attribute) =>
        record.Keys.TryGetValue(attribute, out var value) && value.S is { Length: > 0 } s
            ? s
            : throw new FormatException($"stream record {record.SequenceNumber} has no string key \"{attribute}\"");

    private static bool IsTemplate(Dictionary<string, AttributeValue>? image) =>
        image is not null && image.TryGetValue(StateAttributes.Kind, out var kind) && kind.S == JobSpecDefaults.TemplateKind;
}
