using Coordinator.Model.Spec;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// kubectl's <c>--field-selector</c> for jobs: comma-separated <c>FIELD=VALUE</c>, <c>FIELD==VALUE</c> or
/// <c>FIELD!=VALUE</c>, all of which must hold. Fields: <c>metadata.name</c> (or <c>name</c>) and <c>status.phase</c>
/// (case-insensitive values, as the phases print). An unknown field or a malformed term is a usage error naming them.
/// </summary>
public sealed class FieldSelector
{
    private static readonly Dictionary<string, Func<Job, string>> Fields = new(StringComparer.Ordinal)
    {
        ["metadata.name"] = job => job.Name,
        ["name"] = job => job.Name,
        ["status.phase"] = job => job.Status.Phase.ToString(),
    };

    private readonly IReadOnlyList<(Func<Job, string> Field, string Value, bool Equal)> _terms;

    private FieldSelector(IReadOnlyList<(Func<Job, string>, string, bool)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    /// <summary>Parses the selector; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var terms = new List<(Func<Job, string>, string, bool)>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var (at, length, equal) = raw.IndexOf("!=", StringComparison.Ordinal) is var ne and >= 0 ? (ne, 2, false)
                : raw.IndexOf("==", StringComparison.Ordinal) is var ee and >= 0 ? (ee, 2, true)
                : (raw.IndexOf('=', StringComparison.Ordinal), 1, true);
            if (at <= 0)
            {
                throw new FormatException($"--field-selector: \"{raw}\" is not FIELD=VALUE or FIELD!=VALUE");
            }
            var name = raw[..at].Trim();
            if (!Fields.TryGetValue(name, out var field))
            {
                throw new FormatException($"--field-selector: unknown field \"{name}\"; jobs have {string.Join(", ", Fields.Keys.Where(k => k != "name"))}");
            }
            terms.Add((field, raw[(at + length)..].Trim(), equal));
        }
        return new FieldSelector(terms);
    }

    public bool Matches(Job job) =>
        _terms.All(t => string.Equals(t.Field(job), t.Value, StringComparison.OrdinalIgnoreCase) == t.Equal);
}
