namespace Coordinator.Corpus.Tests;

/// <summary>Where one case's job lives: its name, input prefix, output prefix, and the run's work directory.</summary>
public sealed record CaseContext(string Job, string Bucket, string Work)
{
    /// <summary>Key prefix of the job's input objects (relative to the bucket).</summary>
    public string InputPrefix => $"in/{Job}/";

    public string InputUri => $"s3://{Bucket}/{InputPrefix}";

    public string OutputUri => $"s3://{Bucket}/out/{Job}/";

    /// <summary>A directory of this case's own under the work directory (handler scripts, marker files).</summary>
    public string CaseDirectory => Path.Combine(Work, "cases", Job);

    /// <summary>Replaces {job}, {bucket}, {in}, {out} and {work} in an expected message.</summary>
    public string Expand(string text) => text
        .Replace("{job}", Job, StringComparison.Ordinal)
        .Replace("{bucket}", Bucket, StringComparison.Ordinal)
        .Replace("{in}", InputUri, StringComparison.Ordinal)
        .Replace("{out}", OutputUri, StringComparison.Ordinal)
        .Replace("{work}", Work, StringComparison.Ordinal);
}
