using Coordinator.Model.Documents;
using Coordinator.Model.Validation;

namespace Coordinator.Model.Spec.Schema;

/// <summary>
/// Collects every problem met while binding a document tree to the model (binding never stops at the first),
/// and remembers where each path came from so later validation errors can point at a line and column.
/// </summary>
public sealed class BindContext
{
    private readonly List<SpecError> _errors = [];

    /// <summary>The file errors are reported against without naming it; marks from other files are named.</summary>
    public string? MainSource { get; init; }

    public IReadOnlyList<SpecError> Errors => _errors;
    public SourceMap SourceMap { get; } = new();

    public void Visit(string path, SpecNode node)
    {
        if (node.Mark is { } mark)
        {
            SourceMap.Record(path, mark);
        }
    }

    public void Error(string path, SpecNode? at, string message) => Error(path, at?.Mark, message);

    public void Error(string path, SourceMark? at, string message) =>
        _errors.Add(SourceMap.Locate(new SpecError(path, message, null, null), at, MainSource));

    public void Add(SpecError error) => _errors.Add(error);
}
