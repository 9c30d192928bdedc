using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Coordinator.Model.Manifests;

namespace Coordinator.Data.Partitioning;

/// <summary>
/// JSON form of the <see cref="JobManifest"/> and its checksum. The checksum is the sha256 of the manifest's JSON with
/// the Checksum field empty; property order is the declaration order, so the bytes are canonical for a given manifest.
/// A manifest that fails the check (torn copy, hand edit) is refused rather than trusted.
/// </summary>
public static class JobManifestCodec
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        WriteIndented = false,
    };

    /// <summary>Set <see cref="JobManifest.Checksum"/> and return the bytes to store.</summary>
    public static byte[] Encode(JobManifest manifest)
    {
        manifest.Checksum = ComputeChecksum(manifest);
        return JsonSerializer.SerializeToUtf8Bytes(manifest, Options);
    }

    /// <summary>Parse and verify a stored manifest; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static JobManifest Decode(ReadOnlySpan<byte> json, string source)
    {
        JobManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<JobManifest>(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: manifest is not valid JSON: {e.Message}", e);
        }
        if (manifest is null)
            throw new InvalidDataException($"{source}: manifest is empty");
        if (manifest.ManifestVersion > JobManifest.CurrentVersion)
            throw new InvalidDataException($"{source}: manifest version {manifest.ManifestVersion} is newer than this daemon understands ({JobManifest.CurrentVersion})");
        var expected = ComputeChecksum(manifest);
        if (!string.Equals(expected, manifest.Checksum, StringComparison.Ordinal))
            throw new InvalidDataException($"{source}: manifest checksum {manifest.Checksum} does not match its content ({expected})");
        return manifest;
    }

    public static string ComputeChecksum(JobManifest manifest)
    {
        var saved = manifest.Checksum;
        manifest.Checksum = "";
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(manifest, Options)));
        }
        finally
        {
            manifest.Checksum = saved;
        }
    }
}
