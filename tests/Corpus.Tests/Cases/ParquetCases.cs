using static Coordinator.Corpus.Tests.Inputs;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Corpus.Tests.Cases;

/// <summary>Broken Parquet input: the job fails at partitioning naming the object and the footer or row group.</summary>
public static class ParquetCases
{
    public const string Category = "parquet";

    private static CorpusCase Case(string name, string message, Func<CaseContext, IReadOnlyDictionary<string, byte[]>> inputs) =>
        new(name, Category, "Failed", message) { Inputs = inputs, Item = (i, _) => Section(i, "input")["format"] = S("parquet") };

    private static byte[] CorruptFooter()
    {
        var bytes = ParquetFile(20);
        // The footer's length sits just before the trailing "PAR1"; point it past the file's start.
        bytes[^8] = 0xFF;
        bytes[^7] = 0xFF;
        return bytes;
    }

    public static IEnumerable<CorpusCase> All() =>
    [
        Case("parquet-not-parquet", "{in}part-0.parquet footer: not a readable Parquet file: not a parquet file, head: 7B226964, tail: 39227D0A", c => One(c, "part-0.parquet", Jsonl(20))),
        Case("parquet-corrupt-footer", "{in}part-0.parquet footer: not a readable Parquet file: Unable to read beyond the end of the stream.", c => One(c, "part-0.parquet", CorruptFooter())),
        Case("parquet-truncated", "{in}part-0.parquet footer: not a readable Parquet file: not a parquet file, head: 50415231, tail: 0000000B", c => One(c, "part-0.parquet", ParquetFile(50)[..100])),
        Case("parquet-empty-object", "{in}part-0.parquet footer: not a readable Parquet file: not a Parquet file (size too small)", c => One(c, "part-0.parquet", [])),
        Case("parquet-schema-mismatch", "{in}part-1.parquet: schema differs from the first object's: first [id int32, text string?], this [id int64, score double]",
            c => Many(c, ("part-0.parquet", ParquetFile(10)), ("part-1.parquet", ParquetFile(10, otherSchema: true)))),
    ];
}
