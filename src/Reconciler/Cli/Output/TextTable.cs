using System.Text;

namespace Coordinator.Reconciler.Cli.Output;

/// <summary>
/// A kubectl-style table: upper-case headers, columns separated by three spaces, no borders. Pure. When the rows are
/// wider than <c>maxWidth</c> the widest column that may be cut gives up one character at a time (never below its
/// minimum), so short columns stay whole and the long free-text ones (message, reason, labels) shrink, marked with
/// "…". Control characters in cells become spaces so one row stays one line.
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

    private static void Fit(IReadOnlyList<TableColumn> columns, int[] widths, int limit)
    {
        while (widths.Sum() + Gap.Length * (widths.Length - 1) > limit)
        {
            var widest = -1;
            for (var i = 0; i < widths.Length; i++)
            {
                var floor = Math.Max(columns[i].MinWidth, columns[i].Header.Length);
                if (columns[i].Elision != Elision.None && widths[i] > floor && (widest < 0 || widths[i] > widths[widest]))
                {
                    widest = i;
                }
            }
            if (widest < 0)
            {
                return; // Nothing left to cut: the exact columns alone are wider than the terminal.
            }
            widths[widest]--;
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
