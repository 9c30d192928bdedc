using Coordinator.Model.Spec;

namespace Coordinator.Data.Layout;

/// <summary>
/// Deterministic object keys for one job generation, so every side effect outside DynamoDB is idempotent:
/// {root}/jobs/{name}/{generation}/batches/{index:D6}.{ext}, …/results/{index:D6}.a{attempt}.{ext}, …/manifest.json,
/// …/tasks/{index:D6}.json. The root is s3://{bucket} or a file:// directory (CoordinatorOptions.DataRoot).
/// Each attempt has its own result object, so a superseded attempt that still uploads (a worker paused past the
/// staleness limit, then resumed) can never overwrite the result another attempt recorded.
/// </summary>
public sealed class JobLayout(Uri root, string jobName, long generation)
{
    private readonly string _prefix = $"{JobPrefix(root, jobName)}{generation}";

    public string JobName { get; } = jobName;
    public long Generation { get; } = generation;

    public Uri Prefix => new(_prefix + "/");
    public Uri Manifest => new($"{_prefix}/manifest.json");
    public Uri FinalManifest => new($"{_prefix}/final-manifest.json");
    public Uri Batch(int index, InputFormat format) => new($"{_prefix}/batches/{index:D6}.{Extension(format)}");
    /// <summary>Where attempt <paramref name="attempt"/> of batch <paramref name="index"/> puts its result.</summary>
    public Uri Result(int index, int attempt, InputFormat format) =>
        new($"{_prefix}/results/{index:D6}.a{attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{Extension(format)}");
    /// <summary>Where attempt <paramref name="attempt"/> of batch <paramref name="index"/> puts the records its handler rejected.</summary>
    public Uri Rejects(int index, int attempt) =>
        new($"{_prefix}/results/{index:D6}.a{attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)}.rejects.jsonl");
    public Uri TaskManifest(int index) => new($"{_prefix}/tasks/{index:D6}.json");

    /// <summary>Everything of one job, all generations: {root}/jobs/{name}/ (what TTL cleanup and delete purge).</summary>
    public static Uri JobPrefix(Uri root, string jobName) => new($"{root.ToString().TrimEnd('/')}/jobs/{jobName}/");

    public static string Extension(InputFormat format) => format switch
    {
        InputFormat.Jsonl => "jsonl",
        InputFormat.Csv => "csv",
        InputFormat.Parquet => "parquet",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "unknown format"),
    };
}
