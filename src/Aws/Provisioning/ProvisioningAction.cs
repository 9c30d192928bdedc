namespace Coordinator.Aws.Provisioning;

/// <summary>What provisioning did to one resource.</summary>
public enum ProvisioningAction
{
    Created,
    AlreadyExisted,
    /// <summary>The table existed without a stream; one was enabled.</summary>
    StreamEnabled,
    /// <summary>The table's stream had another view type; it was disabled and re-enabled as NEW_AND_OLD_IMAGES.</summary>
    StreamReplaced,
    Deleted,
    /// <summary>Delete found nothing to delete.</summary>
    NotFound,
}
