using System.Text.RegularExpressions;
using Coordinator.Model.Status;
using Coordinator.Testing;

namespace Coordinator.Model.Tests.Status;

/// <summary>
/// The phase diagram in docs/architecture.md (a Mermaid stateDiagram-v2) is the transition table, edge for edge: a move
/// added to or removed from <see cref="PhaseTransitions"/> without the picture (or the other way round) fails here.
/// </summary>
public sealed partial class PhaseDiagramTests
{
    [Fact]
    public void The_architecture_docs_phase_diagram_has_exactly_the_transition_tables_moves()
    {
        var doc = File.ReadAllText(RepoFiles.Path("docs", "architecture.md"));
        var block = DiagramBlock().Match(doc);
        Assert.True(block.Success, "docs/architecture.md has no ```mermaid stateDiagram-v2 block");
        var edges = Edge().Matches(block.Groups[1].Value).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

        Assert.Equal([("[*]", nameof(JobPhase.Pending))], edges.Where(e => e.Item1 == "[*]"));
        var drawn = edges.Where(e => e.Item1 != "[*]").ToList();
        Assert.Equal(drawn.Count, drawn.Distinct().Count());
        var table = PhaseTransitions.All.Select(t => (t.From.ToString(), t.To.ToString())).ToHashSet();
        Assert.Empty(table.Except(drawn));
        Assert.Empty(drawn.Except(table));
        Assert.True(table.Count > 30, $"the table has {table.Count} moves");
    }

    [GeneratedRegex(@"```mermaid\s*\nstateDiagram-v2\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex DiagramBlock();

    [GeneratedRegex(@"^\s*(\[\*\]|\w+)\s*-->\s*(\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Edge();
}
