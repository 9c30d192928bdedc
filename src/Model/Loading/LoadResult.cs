using Coordinator.Model.Documents;
using Coordinator.Model.Spec;
using Coordinator.Model.Validation;

namespace Coordinator.Model.Loading;

/// <summary>
/// The outcome of loading a job: the bound job (as far as it could be bound), the merged document it came from,
/// and every error found. <see cref="IsValid"/> is what <c>validate</c> exits on.
/// </summary>
public sealed record LoadResult(Job Job, SpecNode? Document, IReadOnlyList<SpecError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
