using Coordinator.Model.Documents;
using Coordinator.Model.Spec;
using Coordinator.Model.Spec.Schema;

namespace Coordinator.Reconciler.Cli.Spec;

/// <summary>
/// What `apply` and `diff` compare: a job's labels and full spec (templates merged, defaults explicit) written as YAML,
/// stored against file, line by line. The diff is printed unified-style: "-" stored, "+" file, two lines of context.
/// </summary>
public static class SpecDiff
{
    private const int Context = 2;

    /// <summary>The job as the diff shows it: <c>labels:</c> and <c>spec:</c>, as YAML lines.</summary>
    public static IReadOnlyList<string> Lines(Job job)
    {
        var labels = new MapNode();
        foreach (var (key, value) in job.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            labels.Set(key, ScalarNode.String(value));
        }
        var root = new MapNode().Set("labels", labels).Set("spec", JobSpecSchema.Write(job.Spec));
        return YamlWriter.Write(root).TrimEnd('\n').Split('\n');
    }

    /// <summary>The unified-style diff from <paramref name="stored"/> (null: no such job) to <paramref name="file"/>; empty when equal.</summary>
    public static IReadOnlyList<string> Between(Job? stored, Job file)
    {
        var before = stored is null ? [] : Lines(stored);
        var after = Lines(file);
        var edits = Edits(before, after);
        if (edits.All(e => e.Mark == ' '))
        {
            return [];
        }
        var output = new List<string>
        {
            $"--- job/{file.Name} ({(stored is null ? "absent" : "stored")})",
            $"+++ job/{file.Name} (file)",
        };
        var shown = new bool[edits.Count];
        for (var i = 0; i < edits.Count; i++)
        {
            if (edits[i].Mark != ' ')
            {
                for (var j = Math.Max(0, i - Context); j <= Math.Min(edits.Count - 1, i + Context); j++)
                {
                    shown[j] = true;
                }
            }
        }
        for (var i = 0; i < edits.Count; i++)
        {
            if (shown[i])
            {
                output.Add($"{edits[i].Mark}{edits[i].Line}");
            }
            else if (i == 0 || shown[i - 1])
            {
                output.Add(" ...");
            }
        }
        return output;
    }

    /// <summary>A longest-common-subsequence line diff (specs are tens of lines, so O(n·m) is nothing).</summary>
    private static List<(char Mark, string Line)> Edits(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var common = new int[a.Count + 1, b.Count + 1];
        for (var i = a.Count - 1; i >= 0; i--)
        {
            for (var j = b.Count - 1; j >= 0; j--)
            {
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
            }
        }
        var edits = new List<(char, string)>();
        int x = 0, y = 0;
        while (x < a.Count || y < b.Count)
        {
            if (x < a.Count && y < b.Count && a[x] == b[y])
            {
                edits.Add((' ', a[x++]));
                y++;
            }
            else if (x < a.Count && (y == b.Count || common[x + 1, y] >= common[x, y + 1]))
            {
                edits.Add(('-', a[x++]));
            }
            else
            {
                edits.Add(('+', b[y++]));
            }
        }
        return edits;
    }
}
