using static Coordinator.Corpus.Tests.Inputs;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Corpus.Tests.Cases;

/// <summary>Broken CSV input (RFC 4180 with a header): the job fails at partitioning naming the object, line and record.</summary>
public static class CsvCases
{
    public const string Category = "csv";

    private static CorpusCase Case(string name, string message, Func<CaseContext, IReadOnlyDictionary<string, byte[]>> inputs, long? maxBytes = null) =>
        new(name, Category, "Failed", message)
        {
            Inputs = inputs,
            Item = (i, _) =>
            {
                Section(i, "input")["format"] = S("csv");
                Section(i, "input")["csv"] = M(("header", B(true)));
                if (maxBytes is { } bytes)
                {
                    Section(i, "batching")["maxBytes"] = N(bytes);
                }
            },
        };

    public static IEnumerable<CorpusCase> All() =>
    [
        Case("csv-unbalanced-quote", "{in}part-0.csv line 3 (record 3): malformed CSV (unbalanced or misplaced quote in field 2)",
            c => One(c, "part-0.csv", Utf8("id,text\n1,ok\n2,\"never closed\n3,more\n")), maxBytes: 64),
        Case("csv-header-mismatch", "{in}part-1.csv line 1: header \"id,body\" differs from the first object's \"id,text\"",
            c => Many(c, ("part-0.csv", Utf8("id,text\n1,a\n")), ("part-1.csv", Utf8("id,body\n2,b\n")))),
        Case("csv-record-too-large", "{in}part-0.csv line 3 (record 3): record of 303 bytes does not fit a batch (limit 100 bytes, header 8 bytes)",
            c => One(c, "part-0.csv", Utf8("id,text\n1,ok\n2," + new string('x', 300) + "\n3,ok\n")), maxBytes: 100),
        Case("csv-empty-object", "{in}: no records in 1 object(s)", c => One(c, "part-0.csv", [])),
        Case("csv-header-only", "{in}: no records in 1 object(s)", c => One(c, "part-0.csv", Utf8("id,text\n"))),
        Case("csv-invalid-utf8", "{in}part-0.csv line 2: invalid UTF-8",
            c => One(c, "part-0.csv", [.. Utf8("id,text\n1,"), 0xFF, 0xFE, .. Utf8("\n")])),
        Case("csv-truncated-gzip", "{in}part-0.csv.gz gzip member 1 (starting at compressed byte 0): truncated: the object ends at compressed byte 40 inside the member, after {any} decompressed bytes",
            c => One(c, "part-0.csv.gz", Gzip(Utf8("id,text\n" + string.Concat(Enumerable.Range(0, 100).Select(n => $"{n},row {n}\n"))))[..40])),
    ];
}
