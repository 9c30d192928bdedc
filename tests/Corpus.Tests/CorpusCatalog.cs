using Coordinator.Corpus.Tests.Cases;

namespace Coordinator.Corpus.Tests;

/// <summary>The whole bad-input corpus, by category; case names are unique and become job names.</summary>
public static class CorpusCatalog
{
    public static readonly IReadOnlyList<CorpusCase> All =
    [
        .. SpecCases.All(), .. YamlCases.All(), .. ItemTypeCases.All(), .. RecordCases.All(), .. CsvCases.All(),
        .. ParquetCases.All(), .. ObjectStoreCases.All(), .. HandlerFaultCases.All(), .. SchedulerCases.All(),
    ];

    public static CorpusCase Get(string name) => All.Single(c => c.Name == name);
}
