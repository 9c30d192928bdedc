using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>
/// Reads like <paramref name="inner"/> but writes nothing when the value is <paramref name="defaultValue"/>. For fields
/// added after v1 shipped: the canonical form (and so the spec hash) of every job stored before the field existed stays
/// the same, so upgrading the daemon does not look like an edit of every job; and writing the default out explicitly
/// still keeps the hash, as for every other field.
/// </summary>
public sealed class DefaultOmittedCodec<T>(IValueCodec<T> inner, T defaultValue) : IValueCodec<T>
{
    public bool TryRead(SpecNode node, string path, BindContext ctx, out T value) => inner.TryRead(node, path, ctx, out value);

    public SpecNode? Write(T value) => EqualityComparer<T>.Default.Equals(value, defaultValue) ? null : inner.Write(value);
}
