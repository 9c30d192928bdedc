namespace Coordinator.Aws.Provisioning;

/// <summary>One line of a provisioning report: "table coordinator-jobs: Created".</summary>
public sealed record ProvisioningStep(string Kind, string Name, ProvisioningAction Action)
{
    public override string ToString() => $"{Kind} {Name}: {Action}";
}
