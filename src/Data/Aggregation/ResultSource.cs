namespace Coordinator.Data.Aggregation;

/// <summary>One succeeded batch's result, in batch order, with the checksum its worker recorded.</summary>
public sealed record ResultSource(int Index, Uri Uri, string Sha256);
