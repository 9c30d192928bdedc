using static Coordinator.Corpus.Tests.Inputs;
using static Coordinator.Testing.Items.JobItems;

namespace Coordinator.Corpus.Tests.Cases;

/// <summary>
/// Input and output locations that do not exist or cannot be used: a missing bucket, object or prefix, an empty
/// prefix, a missing file:// directory, an output bucket that does not exist. Each names the URI at fault.
/// </summary>
public static class ObjectStoreCases
{
    public const string Category = "object-store";

    private static readonly IReadOnlyDictionary<string, byte[]> Nothing = new Dictionary<string, byte[]>();

    public static IEnumerable<CorpusCase> All() =>
    [
        new("store-missing-input-bucket", Category, "Failed", "s3://corpus-no-such-bucket/in/: no such bucket while listing prefix: s3://corpus-no-such-bucket/in/")
        {
            Inputs = _ => Nothing,
            Item = (i, _) => Section(i, "input")["uri"] = S("s3://corpus-no-such-bucket/in/"),
        },
        new("store-missing-object", Category, "Failed", "{in}missing.jsonl: no object or prefix matches the input URI")
        {
            Inputs = c => One(c, "present.jsonl", Jsonl(5)),
            Item = (i, c) => Section(i, "input")["uri"] = S(c.InputUri + "missing.jsonl"),
        },
        new("store-empty-prefix", Category, "Failed", "{in}: no object or prefix matches the input URI")
        {
            Inputs = _ => Nothing,
        },
        new("store-prefix-of-empty-objects", Category, "Failed", "{in}: no records in 2 object(s)")
        {
            Inputs = c => Many(c, ("a.jsonl", []), ("b.jsonl", [])),
        },
        new("store-missing-file-directory", Category, "Failed", "file:///nonexistent/corpus/in/: no object or prefix matches the input URI")
        {
            Inputs = _ => Nothing,
            Item = (i, _) => Section(i, "input")["uri"] = S("file:///nonexistent/corpus/in/"),
        },
        new("store-file-outside-roots", Category, "Invalid",
            "invalid spec (1 error): spec.input.uri: file:///etc/passwd is outside the allowed file roots (Coordinator:FileRoots = {work}, /nonexistent/corpus, /proc/corpus-out)")
        {
            Inputs = _ => Nothing,
            Item = (i, _) => Section(i, "input")["uri"] = S("file:///etc/passwd"),
        },
        new("store-file-input-is-a-directory", Category, "Failed", "file://{work}/cases/{job}/dir: no object or prefix matches the input URI")
        {
            Inputs = c =>
            {
                Directory.CreateDirectory(Path.Combine(c.CaseDirectory, "dir"));
                return Nothing;
            },
            Item = (i, c) => Section(i, "input")["uri"] = S($"file://{c.CaseDirectory}/dir"),
        },
        new("store-missing-output-bucket", Category, "Failed", "cannot write the job's output s3://corpus-no-such-output/out/output.jsonl: no such bucket while writing object: s3://corpus-no-such-output/out/output.jsonl; found before any batch ran, nothing was dispatched")
        {
            Item = (i, _) => Section(i, "output")["uri"] = S("s3://corpus-no-such-output/out/"),
        },
        // Tests run as root, so file modes deny nothing; /proc refuses new directories even to root.
        new("store-output-file-unwritable", Category, "Failed", "cannot write the job's output file:///proc/corpus-out/{job}/output.jsonl: cannot create the directory for the object (Could not find file '/proc/corpus-out'): file:///proc/corpus-out/{job}/output.jsonl; found before any batch ran, nothing was dispatched")
        {
            Item = (i, c) => Section(i, "output")["uri"] = S($"file:///proc/corpus-out/{c.Job}/"),
        },
    ];
}
