using Coordinator.Model.Status;

namespace Coordinator.Model.Spec;

/// <summary>
/// One item of the jobs table. <see cref="Spec"/> is written by users; <see cref="Status"/> only by the daemon.
/// <see cref="Version"/> is the optimistic-locking attribute every daemon write is conditional on.
/// </summary>
public sealed class Job
{
    public string Name { get; set; } = "";
    /// <summary>
    /// "Job" (the default, also when the item has no <c>kind</c>) or "JobTemplate": templates share the jobs table
    /// under the name <c>template:&lt;name&gt;</c> and are never reconciled. See JobItemCodec.
    /// </summary>
    public string Kind { get; set; } = JobSpecDefaults.Kind;
    public Dictionary<string, string> Labels { get; set; } = [];
    public JobSpec Spec { get; set; } = new();
    /// <summary>sha256 of the canonical spec; a change means the user edited the spec.</summary>
    public string SpecHash { get; set; } = "";
    /// <summary>Incremented by the daemon whenever <see cref="SpecHash"/> changes.</summary>
    public long Generation { get; set; }
    public JobStatus Status { get; set; } = new();
    /// <summary>Item version for conditional writes; 0 when the item has never been written by the daemon.</summary>
    public long Version { get; set; }
    /// <summary>
    /// The lease term of the daemon that last wrote status (<c>leaderTerm</c> on the item); null when no leader has
    /// (a user's put-item, or only CLI writes). A daemon's status write is refused when this is newer than its own term.
    /// </summary>
    public long? LeaderTerm { get; set; }
    /// <summary>
    /// The item's <c>reconcileRequestedAt</c> stamp as written by the CLI (`coordinator cancel`; a user-side attribute,
    /// outside spec and status), "" when absent. The daemon records the stamp it acted on as
    /// <see cref="JobStatus.ObservedReconcileRequest"/>, so a relist sees a stamp made while no daemon followed the stream.
    /// </summary>
    public string ReconcileRequestedAt { get; set; } = "";
    /// <summary>Errors met while decoding the item; a non-empty list makes the job Invalid.</summary>
    public List<string> DecodeErrors { get; set; } = [];

    /// <summary>True for a JobTemplate item, which the daemon must skip.</summary>
    public bool IsTemplate => Kind == JobSpecDefaults.TemplateKind;
}
