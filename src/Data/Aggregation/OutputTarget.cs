using Coordinator.Data.Layout;
using Coordinator.Model.Spec;

namespace Coordinator.Data.Aggregation;

/// <summary>
/// Where a job's aggregated output and final manifest go. spec.output.uri ending in '/' is a prefix: the output is
/// {prefix}output.{ext} and the manifest {prefix}manifest.json. Otherwise it names the output object itself and the
/// manifest sits beside it as {uri}.manifest.json.
/// </summary>
public sealed record OutputTarget(Uri Output, Uri Manifest, InputFormat Format)
{
    public static OutputTarget For(JobSpec spec)
    {
        var format = ResultFormat.Of(spec);
        var uri = spec.Output.Uri;
        return uri.EndsWith('/')
            ? new OutputTarget(new Uri($"{uri}output.{JobLayout.Extension(format)}"), new Uri($"{uri}manifest.json"), format)
            : new OutputTarget(new Uri(uri), new Uri($"{uri}.manifest.json"), format);
    }
}
