namespace Coordinator.Model.Manifests;

/// <summary>A contiguous slice of input records, stored read-only once, with a checksum.</summary>
public sealed class Batch
{
    public int Index { get; set; }
    /// <summary>The input objects this batch's records came from, in order.</summary>
    public List<string> Sources { get; set; } = [];
    /// <summary>Offset of the first record, counted across all input objects.</summary>
    public long FirstRecord { get; set; }
    public long RecordCount { get; set; }
    public long Bytes { get; set; }
    public string Key { get; set; } = "";
    public string Sha256 { get; set; } = "";
}
