using static Coordinator.Corpus.Tests.Inputs;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Corpus.Tests.Cases;

/// <summary>
/// Broken JSONL records: the job fails at partitioning (condition Partitioned=False) with a message naming the
/// object and the line, and nothing is dispatched.
/// </summary>
public static class RecordCases
{
    public const string Category = "records";

    private static CorpusCase Case(string name, string message, Func<CaseContext, IReadOnlyDictionary<string, byte[]>> inputs,
        Action<System.Text.Json.Nodes.JsonObject, CaseContext>? edit = null) =>
        new(name, Category, "Failed", message) { Inputs = inputs, Item = edit };

    public static IEnumerable<CorpusCase> All() =>
    [
        Case("jsonl-invalid-json-line", "{in}part-0.jsonl line 3: malformed JSON at byte 5: '}' is invalid after a property name. Expected a ':'",
            c => One(c, "part-0.jsonl", Utf8("{\"id\": 0}\n{\"id\": 1}\n{\"id\"}\n{\"id\": 3}\n"))),
        Case("jsonl-truncated-record", "{in}part-0.jsonl line 2: malformed JSON at byte 25: Expected end of string, but instead reached end of data",
            c => One(c, "part-0.jsonl", Utf8("{\"id\": 0}\n{\"id\": 1, \"text\": \"cut of"))),
        Case("jsonl-invalid-utf8", "{in}part-0.jsonl line 2: invalid UTF-8",
            c => One(c, "part-0.jsonl", [.. Utf8("{\"id\": 0}\n{\"id\": \""), 0xC3, 0x28, .. Utf8("\"}\n")])),
        Case("jsonl-record-too-large", "{in}part-0.jsonl line 2: record of 2002 bytes exceeds the limit of 1000 bytes per record (batching.maxBytes, at most 67108864)",
            c => One(c, "part-0.jsonl", Utf8("{\"id\": 0}\n{\"id\": 1, \"text\": \"" + new string('x', 1980) + "\"}\n{\"id\": 2}\n")),
            (i, _) => Section(i, "batching")["maxBytes"] = S("1000")),
        Case("jsonl-empty-object", "{in}: no records in 1 object(s)", c => One(c, "part-0.jsonl", [])),
        Case("jsonl-only-blank-lines", "{in}: no records in 1 object(s) (4 blank lines)", c => One(c, "part-0.jsonl", Utf8("\n  \n\t\n\r\n"))),
        Case("jsonl-bad-line-in-second-object", "{in}part-1.jsonl line 2: malformed JSON at byte 1: 'not json at all' is an invalid JSON literal. Expected the literal 'null'",
            c => Many(c, ("part-0.jsonl", Jsonl(5)), ("part-1.jsonl", Utf8("{\"id\": 5}\nnot json at all\n")))),
        Case("jsonl-bare-value-lines", "{in}part-0.jsonl line 1: malformed JSON at byte 0: 'h' is an invalid start of a value", c => One(c, "part-0.jsonl", Utf8("hello world\n"))),
        Case("jsonl-truncated-gzip", "{in}part-0.jsonl.gz gzip member 1 (starting at compressed byte 0): truncated: the object ends at compressed byte 60 inside the member, after {any} decompressed bytes",
            c => One(c, "part-0.jsonl.gz", Gzip(Jsonl(200))[..60])),
        Case("jsonl-not-gzip", "{in}part-0.jsonl.gz gzip member 1 (starting at compressed byte 0): not a gzip header, detected at compressed byte {any}, after 0 decompressed bytes",
            c => One(c, "part-0.jsonl.gz", Jsonl(20))),
    ];
}
