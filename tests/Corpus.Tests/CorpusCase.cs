using System.Text.Json.Nodes;

namespace Coordinator.Corpus.Tests;

/// <summary>
/// One bad input, as data: what the user submits (a job item, edited from a known-good base, plus input objects
/// generated at run time), what the daemon must answer (phase and the exact status.message), and, for the cases that
/// need it, a step to take while the job runs (<see cref="Act"/>) and further checks (<see cref="Verify"/>).
/// Messages may use the placeholders of <see cref="CaseContext.Expand"/> ({job}, {bucket}, {in}, {out}, {work}).
/// </summary>
public sealed record CorpusCase(string Name, string Category, string Phase, string Message)
{
    /// <summary>Edits the base job item (its "spec" map and top-level attributes). Null: the base item as it is.</summary>
    public Action<JsonObject, CaseContext>? Item { get; init; }

    /// <summary>Input objects: key relative to the bucket → bytes. Null: 20 good JSONL records under {in}.</summary>
    public Func<CaseContext, IReadOnlyDictionary<string, byte[]>>? Inputs { get; init; }

    /// <summary>Runs after the job was submitted, concurrently with the other cases (e.g. tamper, then resume).</summary>
    public Func<CorpusStack, CaseContext, Task>? Act { get; init; }

    /// <summary>Further checks on the finished job (e.g. the failed task's stderr tail).</summary>
    public Func<CorpusStack, CaseContext, CaseOutcome, Task>? Verify { get; init; }

    /// <summary>Items written before every job (e.g. a JobTemplate the job names), so they exist when the job is read.</summary>
    public Func<CaseContext, IEnumerable<JsonObject>>? ExtraItems { get; init; }

    /// <summary>The job's name in the jobs table; null derives one from the case name. Set for bad-name cases.</summary>
    public string? JobName { get; init; }

    public override string ToString() => Name;
}
