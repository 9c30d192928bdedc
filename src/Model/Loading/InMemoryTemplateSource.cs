using Coordinator.Model.Documents;

namespace Coordinator.Model.Loading;

/// <summary>Templates held in memory: for offline <c>validate</c>/<c>plan</c> with no templates, and for tests.</summary>
public sealed class InMemoryTemplateSource : ITemplateSource
{
    private readonly Dictionary<string, SpecNode> _templates = new(StringComparer.Ordinal);

    public static InMemoryTemplateSource Empty { get; } = new();

    public InMemoryTemplateSource Add(string name, SpecNode spec)
    {
        _templates[name] = spec;
        return this;
    }

    public Task<SpecNode?> GetTemplateSpecAsync(string name, CancellationToken ct) =>
        Task.FromResult(_templates.TryGetValue(name, out var spec) ? spec.DeepClone() : null);
}
