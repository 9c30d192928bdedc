using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Coordinator.Model.Documents;

/// <summary>
/// Document tree → YAML text in block style, lists of scalars in flow style (<c>command: [python3, wc.py]</c>),
/// the way the examples in the docs are written. Strings that would read back as something else (<c>"123"</c>,
/// <c>"true"</c>, <c>"01:00:00"</c> is fine plain) are quoted, so writing and re-reading gives the same tree.
/// </summary>
public static partial class YamlWriter
{
    public static string Write(SpecNode node)
    {
        var sb = new StringBuilder();
        if (node is MapNode map)
        {
            WriteMap(sb, map, 0);
        }
        else
        {
            sb.Append(Inline(node)).Append('\n');
        }
        return sb.ToString();
    }

    private static void WriteMap(StringBuilder sb, MapNode map, int indent)
    {
        foreach (var (key, value) in map.Entries)
        {
            sb.Append(' ', indent).Append(Scalar(key, quoteAmbiguous: true)).Append(':');
            WriteValue(sb, value, indent);
        }
    }

    private static void WriteValue(StringBuilder sb, SpecNode value, int indent)
    {
        switch (value)
        {
            case MapNode { Count: > 0 } child:
                sb.Append('\n');
                WriteMap(sb, child, indent + 2);
                break;
            case ListNode list when list.Items.Any(i => i is not ScalarNode):
                sb.Append('\n');
                foreach (var item in list.Items)
                {
                    sb.Append(' ', indent + 2).Append('-');
                    if (item is MapNode { Count: > 0 } itemMap)
                    {
                        // First key on the dash line, the rest aligned under it.
                        var inner = new StringBuilder();
                        WriteMap(inner, itemMap, indent + 4);
                        sb.Append(' ').Append(inner.ToString()[(indent + 4)..]);
                    }
                    else
                    {
                        WriteValue(sb, item, indent + 2);
                    }
                }
                break;
            default:
                sb.Append(' ').Append(Inline(value)).Append('\n');
                break;
        }
    }

    private static string Inline(SpecNode node) => node switch
    {
        MapNode { Count: 0 } => "{}",
        MapNode m => "{" + string.Join(", ", m.Entries.Select(kv => $"{Scalar(kv.Key, true)}: {Inline(kv.Value)}")) + "}",
        ListNode l => "[" + string.Join(", ", l.Items.Select(Inline)) + "]",
        ScalarNode s => s.Kind switch
        {
            ScalarKind.Null => "null",
            ScalarKind.Number or ScalarKind.Bool => s.Value!,
            ScalarKind.Plain => Scalar(s.Value!, quoteAmbiguous: false),
            _ => Scalar(s.Value!, quoteAmbiguous: true),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    private static string Scalar(string value, bool quoteAmbiguous) =>
        SafePlain().IsMatch(value) && !(quoteAmbiguous && PlainScalars.IsAmbiguous(value)) && !value.Contains(": ", StringComparison.Ordinal)
            ? value
            : Quote(value);

    private static string Quote(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    // Conservative: anything outside this set is quoted rather than risk YAML reading it differently.
    [GeneratedRegex(@"^[A-Za-z0-9_/.$+=^(][A-Za-z0-9_/.$@%+=^:()~ -]*(?<![ :])\z")]
    private static partial Regex SafePlain();
}
