namespace Coordinator.Model.Documents;

/// <summary>An ordered list. Under the merge rule a list replaces, never concatenates.</summary>
public sealed class ListNode : SpecNode
{
    public ListNode()
    {
    }

    public ListNode(IEnumerable<SpecNode> items) => Items.AddRange(items);

    public List<SpecNode> Items { get; } = [];

    /// <summary>
    /// "SS" or "NS" when the list was read from a DynamoDB set, else null. A set has no order (DynamoDB may return
    /// its members in any order), so fields whose order matters, such as an argv, refuse it.
    /// </summary>
    public string? SetType { get; init; }

    public override SpecNode DeepClone() =>
        new ListNode(Items.Select(i => i.DeepClone())) { Mark = Mark, Dialect = Dialect, SetType = SetType };

    public override string Describe() => SetType is not null ? $"a set ({SetType})" : Dialect == NodeDialect.Item ? "a list (L)" : "a list";
}
