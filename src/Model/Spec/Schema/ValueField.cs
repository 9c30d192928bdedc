using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>
/// A field read through a codec and stored through a setter. A null node leaves the owner's default in place,
/// which is how an explicit <c>null</c> (or a merge overlay's null) resets a field.
/// </summary>
public sealed class ValueField<TOwner, TValue>(
    string name,
    Func<TOwner, TValue> get,
    Action<TOwner, TValue> set,
    IValueCodec<TValue> codec,
    bool required = false) : IField<TOwner>
{
    public string Name => name;
    public bool Required => required;

    public void Read(SpecNode node, TOwner owner, string path, BindContext ctx)
    {
        if (node is ScalarNode { IsNull: true })
        {
            if (required)
            {
                ctx.Error(path, node, "is required");
            }
            return;
        }
        if (codec.TryRead(node, path, ctx, out var value))
        {
            set(owner, value);
        }
    }

    public SpecNode? Write(TOwner owner) => codec.Write(get(owner));
}
