using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>
/// Reads one typed value from a document node (reporting, never throwing, when the node has the wrong type) and
/// writes it back as a node. A null node value means "not set": the caller leaves the default.
/// </summary>
public interface IValueCodec<T>
{
    bool TryRead(SpecNode node, string path, BindContext ctx, out T value);

    /// <summary>The node for <paramref name="value"/>, or null when the value is unset and should be omitted.</summary>
    SpecNode? Write(T value);
}
