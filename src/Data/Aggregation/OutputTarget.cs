using Coordinator.Data.Layout;
using Coordinator.Model.Spec;

namespace Coordinator.Data.Aggregation;

/// <summary>
/// Where a job's aggregated output and final manifest go. spec.output.uri ending in '/' is a prefix: the output is
/// {prefix}output.{ext}, the manifest {prefix}manifest.json and the handlers' rejected records
/// {prefix}failed-records.jsonl. Otherwise it names the output object itself and the manifest and rejects sit beside
/// it as {uri}.manifest.json and {uri}.failed-records.jsonl.
/// </summary>
public sealed record OutputTarget(Uri Output, Uri Manifest, InputFormat Format)
{
    /// <summary>Where the records the handlers rejected are aggregated (written only when there are some).</summary>
    public Uri FailedRecords { get; init; } = new($"{Manifest.ToString()[..^"manifest.json".Length]}failed-records.jsonl");

    public static OutputTarget For(JobSpec spec)
    {
        var format = ResultFormat.Of(spec);
        var uri = spec.Output.Uri;
        return uri.EndsWith('/')
            ? new OutputTarget(new Uri($"{uri}output.{JobLayout.Extension(format)}"), new Uri($"{uri}manifest.json"), format)
            : new OutputTarget(new Uri(uri), new Uri($"{uri}.manifest.json"), format);
    }
}
