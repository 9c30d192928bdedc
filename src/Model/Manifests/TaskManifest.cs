using Coordinator.Model.Spec;

namespace Coordinator.Model.Manifests;

/// <summary>What one worker needs to process one batch.</summary>
public sealed class TaskManifest
{
    public const int CurrentVersion = 1;
    public int ManifestVersion { get; set; } = CurrentVersion;
    public string Job { get; set; } = "";
    public long Generation { get; set; }
    public int Index { get; set; }
    public string InputUri { get; set; } = "";
    public string InputSha256 { get; set; } = "";
    public string ResultUri { get; set; } = "";
    public InputFormat Format { get; set; }
    public HandlerSpec Handler { get; set; } = new();
    public string Checksum { get; set; } = "";
}
