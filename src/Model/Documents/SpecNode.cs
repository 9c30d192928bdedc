namespace Coordinator.Model.Documents;

/// <summary>
/// A neutral document tree that YAML, DynamoDB items and <c>--set</c> overrides all convert into. Merging,
/// binding to <see cref="Spec.JobSpec"/>, hashing and writing back out all work on this one tree, so each of those
/// rules exists once whatever notation the user chose.
/// </summary>
public abstract class SpecNode
{
    public SourceMark? Mark { get; init; }
    public NodeDialect Dialect { get; init; }

    public abstract SpecNode DeepClone();

    /// <summary>How an error message names this node's value, in its own dialect.</summary>
    public abstract string Describe();
}
