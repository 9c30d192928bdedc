namespace Coordinator.Model.Documents;

/// <summary>
/// A map with its keys in written order (so YAML written back reads like the input), and the position of each key
/// (so "unknown field" points at the key, not its value).
/// </summary>
public sealed class MapNode : SpecNode
{
    private readonly OrderedDictionary<string, SpecNode> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceMark> _keyMarks = new(StringComparer.Ordinal);

    public int Count => _entries.Count;
    public IEnumerable<string> Keys => _entries.Keys;
    public IEnumerable<KeyValuePair<string, SpecNode>> Entries => _entries;

    public SpecNode? this[string key] => _entries.TryGetValue(key, out var node) ? node : null;

    public bool ContainsKey(string key) => _entries.ContainsKey(key);

    /// <summary>Sets a key (replacing any earlier value, keeping its position in the order).</summary>
    public MapNode Set(string key, SpecNode value, SourceMark? keyMark = null)
    {
        _entries[key] = value;
        if (keyMark is not null)
        {
            _keyMarks[key] = keyMark.Value;
        }
        return this;
    }

    public bool Remove(string key)
    {
        _keyMarks.Remove(key);
        return _entries.Remove(key);
    }

    public SourceMark? KeyMark(string key) => _keyMarks.TryGetValue(key, out var m) ? m : null;

    public override SpecNode DeepClone()
    {
        var copy = new MapNode { Mark = Mark, Dialect = Dialect };
        foreach (var (key, value) in _entries)
        {
            copy.Set(key, value.DeepClone(), KeyMark(key));
        }
        return copy;
    }

    public override string Describe() => Dialect == NodeDialect.Item ? "a map (M)" : "a map";
}
