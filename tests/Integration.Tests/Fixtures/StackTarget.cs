namespace Coordinator.Integration.Tests.Fixtures;

/// <summary>Which DynamoDB a <see cref="ProvisionedStack"/> uses. S3 is always moto's.</summary>
public enum StackTarget
{
    Moto,
    DynamoDbLocal,
}
