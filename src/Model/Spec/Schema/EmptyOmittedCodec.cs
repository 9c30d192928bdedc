namespace Coordinator.Model.Spec.Schema;

/// <summary>
/// A list field added after v1 shipped: reads like <paramref name="inner"/>, writes nothing when the list is empty, so
/// the canonical form (and the spec hash) of every job stored before the field existed stays the same.
/// </summary>
public sealed class EmptyOmittedCodec<T>(IValueCodec<List<T>> inner) : IValueCodec<List<T>>
{
    public bool TryRead(Coordinator.Model.Documents.SpecNode node, string path, BindContext ctx, out List<T> value) => inner.TryRead(node, path, ctx, out value);

    public Coordinator.Model.Documents.SpecNode? Write(List<T> value) => value.Count == 0 ? null : inner.Write(value);
}
