using System.Globalization;

namespace Coordinator.Scheduling.Slurm;

/// <summary>Reads values from `scontrol show config` output ("Name = value" lines).</summary>
public static class SlurmConfigReader
{
    /// <summary>Slurm's documented default when the setting is absent.</summary>
    public const int DefaultMaxArraySize = 1001;

    public static int MaxArraySize(string showConfig)
    {
        foreach (var line in showConfig.Split('\n'))
        {
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && line[..equals].Trim() == "MaxArraySize"
                && int.TryParse(line[(equals + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
        }
        return DefaultMaxArraySize;
    }
}
