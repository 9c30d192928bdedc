namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>
/// Integration tests that use the real local stack: put <c>[Collection(LocalStackCollection.Name)]</c> on the class and
/// take <see cref="LocalStackFixture"/> and/or <see cref="SlurmFixture"/> in its constructor. Tests in one collection
/// run one at a time, which suits a 2-core machine whose servers are shared.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LocalStackCollection : ICollectionFixture<LocalStackFixture>, ICollectionFixture<SlurmFixture>
{
    public const string Name = "LocalStack";
}
