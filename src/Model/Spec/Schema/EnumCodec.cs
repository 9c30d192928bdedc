using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>
/// An enum spelled as the API spells it (<c>jsonl</c>, <c>FailJob</c>); matching ignores case so <c>JSONL</c> works,
/// and writing always uses the API's spelling.
/// </summary>
public sealed class EnumCodec<TEnum> : IValueCodec<TEnum>
    where TEnum : struct, Enum
{
    private readonly (string Name, TEnum Value)[] _names;

    public EnumCodec(params (string Name, TEnum Value)[] names) => _names = names;

    public IEnumerable<string> Names => _names.Select(n => n.Name);

    public string NameOf(TEnum value) => _names.First(n => EqualityComparer<TEnum>.Default.Equals(n.Value, value)).Name;

    public bool TryParse(string text, out TEnum value)
    {
        foreach (var (name, v) in _names)
        {
            if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
            {
                value = v;
                return true;
            }
        }
        value = default;
        return false;
    }

    public bool TryRead(SpecNode node, string path, BindContext ctx, out TEnum value)
    {
        value = default;
        if (!Expect.IsText(node, out var text))
        {
            ctx.Error(path, node, Expect.Got($"one of {string.Join(", ", Names)}", "S", node));
            return false;
        }
        if (TryParse(text, out value))
        {
            return true;
        }
        var hint = FieldSuggestion.Closest(text, Names) is { } near ? $" (did you mean \"{near}\"?)" : "";
        ctx.Error(path, node, $"must be one of {string.Join(", ", Names)}, got \"{text}\"{hint}");
        return false;
    }

    public SpecNode? Write(TEnum value) => ScalarNode.String(NameOf(value));
}
