using Coordinator.Model.Documents;

namespace Coordinator.Model.Loading;

/// <summary>
/// Where <c>spec.template</c> names are looked up. The daemon and the CLI use the jobs table (items keyed
/// <c>template:&lt;name&gt;</c>); tests and offline validation can use files or memory.
/// </summary>
public interface ITemplateSource
{
    /// <summary>The template's spec tree, or null when no template has that name.</summary>
    Task<SpecNode?> GetTemplateSpecAsync(string name, CancellationToken ct);
}
