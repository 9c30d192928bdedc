namespace Coordinator.Aws.DynamoDb;

/// <summary>
/// Attribute names the state store writes in its update and condition expressions. The item layout as a whole is
/// owned by the codecs in Coordinator.Model.Items; these are only the attributes the store addresses directly.
/// </summary>
public static class StateAttributes
{
    public const string Name = "name";
    public const string Kind = "kind";
    public const string Spec = "spec";
    public const string SpecYaml = "specYaml";
    public const string Labels = "labels";
    /// <summary>Written by `coordinator cancel` so the daemon's feed sees a user change (see DynamoStateStore.RequestReconcileAsync).</summary>
    public const string ReconcileRequestedAt = "reconcileRequestedAt";
    public const string Status = "status";
    public const string Phase = "phase";
    /// <summary><c>status.expiresAt</c>: when a finished job is due for deletion under ttlAfterFinished.</summary>
    public const string ExpiresAt = "expiresAt";
    public const string Version = "version";
    public const string Generation = "generation";
    public const string SpecHash = "specHash";
    /// <summary>The lease term of the daemon that last wrote the job's status; its writes are conditional on it (DynamoStateStore).</summary>
    public const string LeaderTerm = "leaderTerm";

    public const string TaskJob = "job";
    public const string TaskIndex = "index";

    /// <summary>Job items whose kind is this are templates that share the jobs table; they are never reconciled.</summary>
    public const string TemplateKind = "JobTemplate";
}
