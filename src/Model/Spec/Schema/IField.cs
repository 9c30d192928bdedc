using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>One named field of a section: how to read it into the owning object and write it back out.</summary>
public interface IField<in TOwner>
{
    string Name { get; }

    /// <summary>When true, leaving the field out is an error ("is required").</summary>
    bool Required { get; }

    void Read(SpecNode node, TOwner owner, string path, BindContext ctx);

    SpecNode? Write(TOwner owner);
}
