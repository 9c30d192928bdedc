using Coordinator.Model.Manifests;

namespace Coordinator.Data.Partitioning;

/// <summary>The committed manifest and what the pass did (Stats is empty when the manifest was already committed).</summary>
public sealed record PartitionResult(JobManifest Manifest, PartitionStats Stats, bool AlreadyCommitted);
