using System.Text;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// A kubectl-style table: upper-case headers, columns separated by three spaces, no borders. Pure. When the rows are
/// wider than <c>maxWidth</c> the widest column that may be cut gives up one character at a time (never below its
/// minimum): free-text columns (message, reason) first, then identifiers (names, ids, cut in the middle so both ends
/// stay readable), so short columns stay whole; a cut is marked with "…". If the uncuttable columns alone are wider,
/// the row is left wider (nothing exact is ever cut). Control characters in cells become spaces so a row stays one line.
/// </summary>
public static class TextTable
{
    public const int DefaultWidth = 80;
    private const string Gap = "   ";

    /// <summary>Renders the table; a null <paramref name="maxWidth"/> means no limit (<c>-o wide</c>).</summary>
    public static string Render(IReadOnlyList<TableColumn> columns, IEnumerable<IReadOnlyList<string?>> rows, int? maxWidth)
    {
        var cells = rows.Select(r => columns.Select((_, i) => Clean(i < r.Count ? r[i] : null)).ToArray()).ToList();
        var widths = columns.Select((c, i) => cells.Select(r => r[i].Length).Append(c.Header.Length).Max()).ToArray();
        if (maxWidth is { } limit)
        {
            Fit(columns, widths, limit);
        }
        var sb = new StringBuilder();
        AppendRow(sb, columns, widths, columns.Select(c => c.Header).ToArray());
        foreach (var row in cells)
        {
            AppendRow(sb, columns, widths, row);
        }
        return sb.ToString();
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="width"/> characters, marking the cut with "…".</summary>
    public static string Elide(string text, int width, Elision elision)
    {
        if (text.Length <= width || elision == Elision.None)
        {
            return text;
        }
        if (width <= 1)
        {
            return width == 1 ? "…" : "";
        }
        if (elision == Elision.Middle)
        {
            var head = width / 2;
            var tail = width - 1 - head;
            return string.Concat(text.AsSpan(0, head), "…", text.AsSpan(text.Length - tail));
        }
        return string.Concat(text.AsSpan(0, width - 1), "…");
    }

    /// <summary>The width a console row may use: $COLUMNS, else the terminal's width, else 80 (pipes and files).</summary>
    public static int ConsoleWidth()
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns >= 20)
        {
            return columns;
        }
        try
        {
            return !Console.IsOutputRedirected && Console.WindowWidth >= 20 ? Console.WindowWidth : DefaultWidth;
        }
        catch (IOException)
        {
            return DefaultWidth;
        }
    }

    /// <summary>Free text (end-elided) gives way first; identifiers (middle-elided) only when that is not enough.</summary>
    private static void Fit(IReadOnlyList<TableColumn> columns, int[] widths, int limit)
    {
        foreach (var elision in new[] { Elision.End, Elision.Middle })
        {
            while (widths.Sum() + Gap.Length * (widths.Length - 1) > limit)
            {
                var widest = -1;
                for (var i = 0; i < widths.Length; i++)
                {
                    var floor = Math.Max(columns[i].MinWidth, columns[i].Header.Length);
                    if (columns[i].Elision == elision && widths[i] > floor && (widest < 0 || widths[i] > widths[widest]))
                    {
                        widest = i;
                    }
                }
                if (widest < 0)
                {
                    break; // Nothing of this kind left to cut.
                }
                widths[widest]--;
            }
        }
    }

    private static void AppendRow(StringBuilder sb, IReadOnlyList<TableColumn> columns, int[] widths, string[] row)
    {
        var line = new StringBuilder();
        for (var i = 0; i < columns.Count; i++)
        {
            var text = Elide(row[i], widths[i], columns[i].Elision);
            var last = i == columns.Count - 1;
            if (columns[i].AlignRight)
            {
                line.Append(text.PadLeft(widths[i]));
            }
            else
            {
                line.Append(last ? text : text.PadRight(widths[i]));
            }
            if (!last)
            {
                line.Append(Gap);
            }
        }
        sb.Append(line.ToString().TrimEnd()).Append('\n');
    }

    private static string Clean(string? cell)
    {
        if (string.IsNullOrEmpty(cell))
        {
            return "";
        }
        var chars = cell.Select(c => char.IsControl(c) ? ' ' : c).ToArray();
        return new string(chars).Trim();
    }
}
