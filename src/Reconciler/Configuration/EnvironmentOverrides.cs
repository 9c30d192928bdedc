using System.Collections;

namespace Coordinator.Reconciler.Configuration;

/// <summary>
/// Maps COORDINATOR__* environment variables to configuration keys: COORDINATOR__SLURM__PARTITION becomes
/// Coordinator:SLURM:PARTITION (keys are case-insensitive). Only that prefix is read, so unrelated variables never
/// leak into configuration, and COORDINATOR_DYNAMODB_LOCAL_URL (one underscore, a test setting) is not a setting.
/// </summary>
public static class EnvironmentOverrides
{
    public const string Prefix = "COORDINATOR__";

    public static IEnumerable<KeyValuePair<string, string?>> From(IDictionary environment)
    {
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                var key = "Coordinator:" + name[Prefix.Length..].Replace("__", ":", StringComparison.Ordinal);
                yield return new KeyValuePair<string, string?>(key, entry.Value as string);
            }
        }
    }
}
