using Amazon.DynamoDBv2.Model;

namespace Coordinator.Corpus.Tests;

/// <summary>What the daemon made of one job: the last item read (null if never seen) and how long it took to settle.</summary>
public sealed record CaseOutcome(Dictionary<string, AttributeValue>? Item, TimeSpan? SettledAfter)
{
    public Dictionary<string, AttributeValue>? Status =>
        Item is not null && Item.TryGetValue("status", out var s) && s.M is { } m ? m : null;

    public string Phase => Text(Status, "phase");

    public string Message => Text(Status, "message");

    /// <summary>The conditions as "Type=Status Reason: message" lines, for failure messages.</summary>
    public string Conditions => Status is not null && Status.TryGetValue("conditions", out var c) && c.L is { } list
        ? string.Join("\n", list.Select(x => $"{Text(x.M, "type")}={Text(x.M, "status")} {Text(x.M, "reason")}: {Text(x.M, "message")}"))
        : "";

    /// <summary>The condition of <paramref name="type"/>: (status, reason, message), or null.</summary>
    public (string Status, string Reason, string Message)? Condition(string type) =>
        Status is not null && Status.TryGetValue("conditions", out var c) && c.L is { } list
            && list.FirstOrDefault(x => Text(x.M, "type") == type) is { } found
            ? (Text(found.M, "status"), Text(found.M, "reason"), Text(found.M, "message"))
            : null;

    public static string Text(Dictionary<string, AttributeValue>? map, string name) =>
        map is not null && map.TryGetValue(name, out var v) ? v.S ?? v.N ?? (v.BOOL is { } b ? b.ToString() : "") : "";

    public override string ToString() => $"phase {Phase}, message \"{Message}\"\nconditions:\n{Conditions}";
}
