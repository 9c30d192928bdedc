using System.Text.Json.Nodes;
using Coordinator.Testing.Items;

namespace Coordinator.Corpus.Tests;

/// <summary>
/// The known-good base every corpus case edits (<see cref="JobItems.Base"/>: JSONL from the case's input prefix,
/// batches of 10 records, `cat` as the handler, one attempt, output beside the input), for one case.
/// </summary>
public static class CaseItems
{
    public static JsonObject Base(CaseContext c) => JobItems.Base(c.Job, c.InputUri, c.OutputUri);

    /// <summary>The base spec as YAML (for the specYaml cases), with <paramref name="extra"/> appended.</summary>
    public static string BaseYaml(CaseContext c, string extra = "") => JobItems.BaseYaml(c.InputUri, c.OutputUri, extra);
}
