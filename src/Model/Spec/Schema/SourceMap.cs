using Coordinator.Model.Documents;
using Coordinator.Model.Validation;

namespace Coordinator.Model.Spec.Schema;

/// <summary>
/// Path → position of every node bound from YAML. Validation runs on the typed model, which has no positions;
/// this map gives its errors their line and column back, falling back to the nearest ancestor that has one
/// (a missing field is reported at its parent map).
/// </summary>
public sealed class SourceMap
{
    private readonly Dictionary<string, SourceMark> _marks = new(StringComparer.Ordinal);

    public void Record(string path, SourceMark mark) => _marks[path] = mark;

    public SourceMark? Find(string path)
    {
        var p = path;
        while (true)
        {
            if (_marks.TryGetValue(p, out var mark))
            {
                return mark;
            }
            if (p.Length == 0)
            {
                return null;
            }
            p = Parent(p);
        }
    }

    /// <summary>Gives an error the position recorded for its path (or the one passed), unless it has one.</summary>
    public SpecError Locate(SpecError error, string? mainSource) =>
        error.Line is not null ? error : Locate(error, Find(error.Path), mainSource);

    public static SpecError Locate(SpecError error, SourceMark? mark, string? mainSource)
    {
        if (mark is not { } m)
        {
            return error;
        }
        // Line 0 marks a node that has a source but no position (a --set value).
        return error with
        {
            Line = m.Line > 0 ? m.Line : null,
            Column = m.Line > 0 ? m.Column : null,
            Source = m.Source is not null && m.Source != mainSource ? m.Source : error.Source,
        };
    }

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}
