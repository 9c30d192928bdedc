namespace Coordinator.Model.Documents;

/// <summary>Where a node came from: 1-based line and column, and the file (null for the main input or an item).</summary>
public readonly record struct SourceMark(string? Source, int Line, int Column);
