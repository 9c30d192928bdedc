using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>An enum that may be unset (null), e.g. <c>output.format</c>, whose absence means "same as the input".</summary>
public sealed class OptionalEnumCodec<TEnum>(EnumCodec<TEnum> inner) : IValueCodec<TEnum?>
    where TEnum : struct, Enum
{
    public bool TryRead(SpecNode node, string path, BindContext ctx, out TEnum? value)
    {
        var ok = inner.TryRead(node, path, ctx, out var v);
        value = ok ? v : null;
        return ok;
    }

    public SpecNode? Write(TEnum? value) => value is { } v ? inner.Write(v) : null;
}
