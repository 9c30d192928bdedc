using Coordinator.Controllers.Configuration;
using Coordinator.Controllers.Pipeline;
using Coordinator.Model.Spec;

namespace Coordinator.Controllers.Partitioning;

/// <summary>The layout of a job when the reconciler did not supply one: DataRoot if configured, else s3://{Bucket}.</summary>
public static class JobLayouts
{
    public static JobLayout For(CoordinatorOptions options, Job job) =>
        new(new Uri(string.IsNullOrEmpty(options.DataRoot) ? $"s3://{options.Bucket}/" : options.DataRoot), job.Name, job.Generation);
}
