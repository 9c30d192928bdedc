using Coordinator.Model.Documents;

namespace Coordinator.Model.Spec.Schema;

/// <summary>
/// The fields of one map-shaped section. Reading rejects unknown keys (with a "did you mean"), reports missing
/// required fields at the map, and keeps going after every error so all of them are reported at once.
/// Writing emits every field that has a value, in schema order, defaults included.
/// </summary>
public sealed class SectionSchema<T>(params IField<T>[] fields)
{
    private readonly Dictionary<string, IField<T>> _byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);

    public IReadOnlyList<IField<T>> Fields => fields;

    public IReadOnlyCollection<string> FieldNames => fields.Select(f => f.Name).ToArray();

    /// <summary>Reads <paramref name="node"/> into <paramref name="target"/>; false if anything was wrong.</summary>
    public bool Read(SpecNode node, T target, string path, BindContext ctx)
    {
        ctx.Visit(path, node);
        if (node is not MapNode map)
        {
            ctx.Error(path, node, Expect.Got("a map", "M", node));
            return false;
        }
        var before = ctx.Errors.Count;
        foreach (var (key, value) in map.Entries)
        {
            var fieldPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!_byName.TryGetValue(key, out var field))
            {
                ctx.Error(fieldPath, map.KeyMark(key) ?? value.Mark, FieldSuggestion.UnknownField(key, FieldNames));
                continue;
            }
            ctx.Visit(fieldPath, value);
            field.Read(value, target, fieldPath, ctx);
        }
        foreach (var field in fields.Where(f => f.Required && !map.ContainsKey(f.Name)))
        {
            ctx.Error(path.Length == 0 ? field.Name : $"{path}.{field.Name}", map, "is required");
        }
        return ctx.Errors.Count == before;
    }

    public MapNode Write(T source)
    {
        var map = new MapNode();
        foreach (var field in fields)
        {
            if (field.Write(source) is { } node)
            {
                map.Set(field.Name, node);
            }
        }
        return map;
    }
}
