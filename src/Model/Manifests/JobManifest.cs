using Coordinator.Model.Spec;

namespace Coordinator.Model.Manifests;

/// <summary>Every batch of one job generation, plus the output once aggregated. Written as the store's commit point.</summary>
public sealed class JobManifest
{
    public const int CurrentVersion = 1;
    public int ManifestVersion { get; set; } = CurrentVersion;
    public string Job { get; set; } = "";
    public long Generation { get; set; }
    public string SpecHash { get; set; } = "";
    public InputFormat Format { get; set; }
    public List<Batch> Batches { get; set; } = [];
    public long TotalRecords { get; set; }
    public long TotalBytes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>sha256 over the manifest's canonical JSON with this field empty.</summary>
    public string Checksum { get; set; } = "";
}
