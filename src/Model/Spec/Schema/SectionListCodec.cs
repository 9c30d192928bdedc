using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>A list of sections, e.g. <c>retry.rules</c>; each element is a fresh object read through the schema.</summary>
public sealed class SectionListCodec<TSection>(SectionSchema<TSection> schema, string description) : IValueCodec<List<TSection>>
    where TSection : class, new()
{
    private readonly ListCodec<TSection> _list = new(new ElementCodec(schema), description);

    public bool TryRead(SpecNode node, string path, BindContext ctx, out List<TSection> value) =>
        _list.TryRead(node, path, ctx, out value);

    public SpecNode? Write(List<TSection> value) => _list.Write(value);

    private sealed class ElementCodec(SectionSchema<TSection> schema) : IValueCodec<TSection>
    {
        public bool TryRead(SpecNode node, string path, BindContext ctx, out TSection value)
        {
            value = new TSection();
            return schema.Read(node, value, path, ctx);
        }

        public SpecNode? Write(TSection value) => schema.Write(value);
    }
}
