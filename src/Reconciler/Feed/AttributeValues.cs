using Amazon.DynamoDBv2.Model;

namespace Coordinator.Reconciler.Feed;

/// <summary>Structural equality of DynamoDB attribute values (the SDK type compares by reference).</summary>
public static class AttributeValues
{
    public static bool Equal(AttributeValue a, AttributeValue b)
    {
        if (a.S is not null || b.S is not null)
        {
            return a.S == b.S;
        }
        if (a.N is not null || b.N is not null)
        {
            return a.N == b.N;
        }
        if (a.BOOL is not null || b.BOOL is not null)
        {
            return a.BOOL == b.BOOL;
        }
        if (a.NULL is not null || b.NULL is not null)
        {
            return a.NULL == b.NULL;
        }
        if (a.M is not null || b.M is not null)
        {
            return a.M is not null && b.M is not null && a.M.Count == b.M.Count
                && a.M.All(kv => b.M.TryGetValue(kv.Key, out var other) && Equal(kv.Value, other));
        }
        if (a.L is not null || b.L is not null)
        {
            return a.L is not null && b.L is not null && a.L.Count == b.L.Count && a.L.Zip(b.L).All(p => Equal(p.First, p.Second));
        }
        if (a.SS is not null || b.SS is not null)
        {
            return a.SS is not null && b.SS is not null && a.SS.Order().SequenceEqual(b.SS.Order());
        }
        if (a.NS is not null || b.NS is not null)
        {
            return a.NS is not null && b.NS is not null && a.NS.Order().SequenceEqual(b.NS.Order());
        }
        if (a.B is not null || b.B is not null)
        {
            return a.B is not null && b.B is not null && a.B.ToArray().AsSpan().SequenceEqual(b.B.ToArray());
        }
        if (a.BS is not null || b.BS is not null)
        {
            return a.BS is not null && b.BS is not null && a.BS.Count == b.BS.Count
                && a.BS.Zip(b.BS).All(p => p.First.ToArray().AsSpan().SequenceEqual(p.Second.ToArray()));
        }
        return true;
    }
}
