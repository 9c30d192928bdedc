using Coordinator.Reconciler.Cli.Output;

namespace Coordinator.Reconciler.Tests.Cli;

public sealed class TextTableTests
{
    private static readonly TableColumn[] Columns =
    [
        new("NAME", Elision.None),
        new("STATE", Elision.None),
        new("MESSAGE", Elision.End, MinWidth: 10),
    ];

    [Fact]
    public void A_long_message_is_cut_with_an_ellipsis_so_every_line_fits_80_columns()
    {
        var rows = new[] { new[] { "job-a", "Running", new string('x', 200) }, new[] { "job-b", "Failed", "short" } };

        var text = TextTable.Render(Columns, rows, maxWidth: 80);

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length}: {l}"));
        Assert.EndsWith("…", lines[1], StringComparison.Ordinal);
        Assert.Equal(80, lines[1].Length);
        Assert.StartsWith("job-b   Failed    short", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Columns_that_may_not_be_cut_stay_whole_and_the_widest_cuttable_column_shrinks_first()
    {
        TableColumn[] columns = [new("ID", Elision.None), new("A", Elision.End, MinWidth: 3), new("B", Elision.End, MinWidth: 3)];
        var rows = new[] { new[] { "exact-identifier", new string('a', 30), new string('b', 5) } };

        var text = TextTable.Render(columns, rows, maxWidth: 40);

        var row = text.Split('\n')[1];
        Assert.Equal($"exact-identifier   {new string('a', 12)}…   bbbbb", row);
    }

    [Fact]
    public void Wide_output_never_cuts_a_cell()
    {
        var message = new string('m', 150);

        var text = TextTable.Render(Columns, [["job", "Running", message]], maxWidth: null);

        Assert.Contains(message, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Newlines_and_tabs_inside_a_cell_become_spaces_so_a_row_stays_one_line()
    {
        var text = TextTable.Render(Columns, [["job", "Failed", "line one\nline two\tend"]], maxWidth: 80);

        Assert.Equal(2, text.TrimEnd('\n').Split('\n').Length);
        Assert.Contains("line one line two end", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abcdefghij", 5, Elision.End, "abcd…")]
    [InlineData("abcdefghij", 5, Elision.Middle, "ab…ij")]
    [InlineData("abc", 5, Elision.End, "abc")]
    [InlineData("abcdefghij", 5, Elision.None, "abcdefghij")]
    [InlineData("abcdefghij", 1, Elision.End, "…")]
    public void Elide_cuts_to_the_width_and_marks_the_cut(string text, int width, Elision elision, string expected) =>
        Assert.Equal(expected, TextTable.Elide(text, width, elision));
}
