namespace Coordinator.Model.Documents;

/// <summary>An ordered list. Under the merge rule a list replaces, never concatenates.</summary>
public sealed class ListNode : SpecNode
{
    public ListNode()
    {
    }

    public ListNode(IEnumerable<SpecNode> items) => Items.AddRange(items);

    public List<SpecNode> Items { get; } = [];

    public override SpecNode DeepClone() =>
        new ListNode(Items.Select(i => i.DeepClone())) { Mark = Mark, Dialect = Dialect };

    public override string Describe() => Dialect == NodeDialect.Item ? "a list (L)" : "a list";
}
