using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>A nested section (e.g. <c>slurm</c>), read into the owner's existing instance so unset fields keep defaults.</summary>
public sealed class SectionField<TOwner, TSection>(string name, Func<TOwner, TSection> get, SectionSchema<TSection> schema)
    : IField<TOwner>
    where TSection : class
{
    public string Name => name;
    public bool Required => false;

    public void Read(SpecNode node, TOwner owner, string path, BindContext ctx)
    {
        if (node is ScalarNode { IsNull: true })
        {
            return;
        }
        schema.Read(node, get(owner), path, ctx);
    }

    public SpecNode? Write(TOwner owner) => schema.Write(get(owner));
}
