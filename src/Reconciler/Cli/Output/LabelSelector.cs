namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// kubectl's equality-based label selector: comma-separated requirements that must all hold — <c>key=value</c>
/// (also <c>key==value</c>), <c>key!=value</c> (true when the label is absent too), <c>key</c> (present) and
/// <c>!key</c> (absent). Pure; an empty selector matches everything.
/// </summary>
public sealed class LabelSelector
{
    private readonly IReadOnlyList<Func<IReadOnlyDictionary<string, string>, bool>> _requirements;

    private LabelSelector(IReadOnlyList<Func<IReadOnlyDictionary<string, string>, bool>> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the bad requirement.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var requirements = new List<Func<IReadOnlyDictionary<string, string>, bool>>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            requirements.Add(ParseRequirement(part, text));
        }
        return new LabelSelector(requirements);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r(labels));

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseRequirement(string part, string whole)
    {
        if (part.Length == 0)
        {
            throw new FormatException($"label selector \"{whole}\" has an empty requirement");
        }
        var notEquals = part.IndexOf("!=", StringComparison.Ordinal);
        if (notEquals >= 0)
        {
            var (key, value) = (Key(part[..notEquals], whole), part[(notEquals + 2)..].Trim());
            return labels => !labels.TryGetValue(key, out var actual) || actual != value;
        }
        var equals = part.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0)
        {
            var key = Key(part[..equals], whole);
            var value = part[(equals + 1)..].TrimStart('=').Trim();
            return labels => labels.TryGetValue(key, out var actual) && actual == value;
        }
        if (part.StartsWith('!'))
        {
            var key = Key(part[1..], whole);
            return labels => !labels.ContainsKey(key);
        }
        var present = Key(part, whole);
        return labels => labels.ContainsKey(present);
    }

    private static string Key(string key, string whole)
    {
        var trimmed = key.Trim();
        if (trimmed.Length == 0 || trimmed.Any(c => char.IsWhiteSpace(c) || c is '=' or '!' or ','))
        {
            throw new FormatException($"label selector \"{whole}\": \"{key}\" is not a label key (use key=value, key!=value, key or !key)");
        }
        return trimmed;
    }
}
